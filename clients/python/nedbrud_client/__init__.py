"""nedbrud-client: typed calls for the nedbrud API, an offline outbox, and a command line."""

from nedbrud_client.calls import Call
from nedbrud_client.client import AsyncClient, Client, SituationMessage
from nedbrud_client.outbox import Outbox, SyncReport
from nedbrud_client.problems import (
    ClientError,
    ProblemError,
    Refused,
    Retryable,
    Unreachable,
)

__all__ = [
    "AsyncClient",
    "Call",
    "Client",
    "ClientError",
    "Outbox",
    "ProblemError",
    "Refused",
    "Retryable",
    "SituationMessage",
    "SyncReport",
    "Unreachable",
]
