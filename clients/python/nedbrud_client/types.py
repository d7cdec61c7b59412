"""The wire types of the nedbrud API, as `openapi/openapi.json` describes them.

They are generated from the document into `nedbrud_client.wire` (`uv run nedbrud openapi`
writes both, and a test fails when the module is stale), with the document's names, shapes and
limits: times are `datetime`, ids `UUID`, a field the answer may leave out is `UNSET`. This
module adds the few names the client has always given them.
"""

from __future__ import annotations

import typing

from msgspec import Struct

from nedbrud_client.citizen import CitizenIn as CitizenIn
from nedbrud_client.wire import *  # noqa: F403
from nedbrud_client.wire import RecordIncidentStepRequest

# The body of `recordIncidentStep`: one of the plan's steps, told apart by `type`.
IncidentStep = RecordIncidentStepRequest


def _step_name(step: type[Struct]) -> str:
    return str(step.__struct_config__.tag)  # its `type`, the tag that tells the steps apart


# Each step by the name the API gives it (`it-contacted`, `system-restored`, ...).
STEPS: dict[str, type[Struct]] = {_step_name(s): s for s in typing.get_args(IncidentStep)}
