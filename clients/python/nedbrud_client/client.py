"""`Client` and `AsyncClient`: a typed method for every operation, over httpx.

Both get their methods from the builders in `calls` (one definition each): on a `Client` a method
returns the decoded answer, on an `AsyncClient` an awaitable of it. A 2xx answer decodes to the
operation's wire type; anything else raises the `ProblemError` for its status, and no answer at
all raises `Unreachable`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, ParamSpec, TypeVar, overload

import httpx
import msgspec

from nedbrud_client import calls
from nedbrud_client.calls import Call
from nedbrud_client.problems import Unreachable, problem_error, retry_after_seconds

P = ParamSpec("P")
T = TypeVar("T")

USER_AGENT = "nedbrud-client/0.1.0"


class SituationMessage(msgspec.Struct, frozen=True):
    """One message of the live situation stream: `snapshot` (every open incident) first, then
    `incident` (one incident as it stands after a change); `id` is the log position."""

    event: str
    id: str | None
    data: Any


class _Operation(Generic[P, T]):
    """An operation as a method: builds its `Call` and sends it with the client's `send`."""

    def __init__(self, build: Callable[P, Call[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, client: None, owner: type[Any]) -> _Operation[P, T]: ...

    @overload
    def __get__(self, client: Client, owner: type[Any]) -> Callable[P, T]: ...

    @overload
    def __get__(self, client: AsyncClient, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...

    def __get__(self, client: Any, owner: type[Any]) -> Any:
        if client is None:
            return self
        build = self.build

        def method(*args: P.args, **kwargs: P.kwargs) -> Any:
            return client.send(build(*args, **kwargs))

        method.__doc__ = build.__doc__
        return method


class _Operations:
    """Every operation of the API, by its operationId in snake case."""

    declare_incident = _Operation(calls.declare_incident)
    record_incident_step = _Operation(calls.record_incident_step)
    record_medication_dispensing = _Operation(calls.record_medication_dispensing)
    record_care_delivery = _Operation(calls.record_care_delivery)
    mark_entered_in_journal = _Operation(calls.mark_entered_in_journal)
    mark_many_entered_in_journal = _Operation(calls.mark_many_entered_in_journal)
    void_manual_record = _Operation(calls.void_manual_record)
    record_medication_list_print = _Operation(calls.record_medication_list_print)
    post_cloud_event = _Operation(calls.post_cloud_event)
    post_cloud_events = _Operation(calls.post_cloud_events)
    list_incidents = _Operation(calls.list_incidents)
    get_incident = _Operation(calls.get_incident)
    get_incident_timeline = _Operation(calls.get_incident_timeline)
    get_incident_timeline_csv = _Operation(calls.get_incident_timeline_csv)
    get_manual_record = _Operation(calls.get_manual_record)
    get_readiness = _Operation(calls.get_readiness)
    put_emergency_list = _Operation(calls.put_emergency_list)
    put_emergency_list_csv = _Operation(calls.put_emergency_list_csv)
    get_emergency_list = _Operation(calls.get_emergency_list)
    get_rounds = _Operation(calls.get_rounds)
    get_contact_now = _Operation(calls.get_contact_now)
    get_plan = _Operation(calls.get_plan)
    get_action_cards = _Operation(calls.get_action_cards)
    get_paper_kit = _Operation(calls.get_paper_kit)
    get_situation = _Operation(calls.get_situation)
    get_situation_report = _Operation(calls.get_situation_report)
    get_incident_report = _Operation(calls.get_incident_report)
    get_report_summary = _Operation(calls.get_report_summary)
    list_access_log = _Operation(calls.list_access_log)
    list_back_entry = _Operation(calls.list_back_entry)
    get_back_entry_fhir = _Operation(calls.get_back_entry_fhir)
    list_events = _Operation(calls.list_events)
    verify_log = _Operation(calls.verify_log)
    create_key = _Operation(calls.create_key)
    get_own_key = _Operation(calls.get_own_key)
    list_keys = _Operation(calls.list_keys)
    revoke_key = _Operation(calls.revoke_key)
    register_webhook = _Operation(calls.register_webhook)
    list_webhooks = _Operation(calls.list_webhooks)
    list_webhook_deliveries = _Operation(calls.list_webhook_deliveries)
    replay_webhook = _Operation(calls.replay_webhook)
    remove_webhook = _Operation(calls.remove_webhook)
    live = _Operation(calls.live)
    ready = _Operation(calls.ready)
    metrics = _Operation(calls.metrics)


def _request(call: Call[Any]) -> dict[str, Any]:
    headers = dict(call.headers)
    if call.body is not None:
        headers["Content-Type"] = call.content_type
    return {
        "method": call.method,
        "url": call.path,
        "params": call.params,
        "headers": headers,
        "content": call.body,
    }


def _answer(call: Call[T], response: httpx.Response) -> T:
    if not response.is_success:
        retry = retry_after_seconds(response.headers.get("Retry-After"))
        raise problem_error(response.status_code, response.content, retry)
    if call.answer is str:
        return response.text  # type: ignore[return-value]
    if call.answer is bytes:  # a PDF
        return response.content  # type: ignore[return-value]
    return msgspec.json.decode(response.content, type=call.answer)


def _headers(key: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return headers


class _EventParser:
    """Server-sent events, one line at a time (comments and keep-alives skipped)."""

    def __init__(self) -> None:
        self.event: str = "message"
        self.id: str | None = None
        self.data: list[str] = []

    def feed(self, line: str) -> SituationMessage | None:
        if line == "":
            done = (
                SituationMessage(self.event, self.id, msgspec.json.decode("\n".join(self.data)))
                if self.data
                else None
            )
            self.event, self.id, self.data = "message", None, []
            return done
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self.event = value
        elif name == "id":
            self.id = value
        elif name == "data":
            self.data.append(value)
        return None


class Client(_Operations):
    """The API over HTTP, one call at a time: `Client(url, key).get_situation()`."""

    def __init__(self, base_url: str, key: str | None = None, *, timeout: float = 10.0) -> None:
        self.http = httpx.Client(base_url=base_url, headers=_headers(key), timeout=timeout)

    def send(self, call: Call[T]) -> T:
        try:
            response = self.http.request(**_request(call))
        except httpx.TransportError as exc:
            raise Unreachable(f"{type(exc).__name__}: no answer from {self.http.base_url}") from exc
        return _answer(call, response)

    def stream_situation(
        self, *, mode: str | None = None, last_event_id: str | None = None
    ) -> Iterator[SituationMessage]:
        """The live situation picture: a snapshot, then each change, until the caller stops."""
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        params = {"mode": mode} if mode else {}
        with self.http.stream(
            "GET", "/v1/situation/stream", params=params, headers=headers, timeout=None
        ) as response:
            if not response.is_success:
                response.read()
                _answer(Call("streamSituation", "GET", "", str), response)
            parser = _EventParser()
            for line in response.iter_lines():
                if (message := parser.feed(line)) is not None:
                    yield message

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncClient(_Operations):
    """The same API for asyncio: `await AsyncClient(url, key).get_situation()`."""

    def __init__(self, base_url: str, key: str | None = None, *, timeout: float = 10.0) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, headers=_headers(key), timeout=timeout)

    async def send(self, call: Call[T]) -> T:
        try:
            response = await self.http.request(**_request(call))
        except httpx.TransportError as exc:
            raise Unreachable(f"{type(exc).__name__}: no answer from {self.http.base_url}") from exc
        return _answer(call, response)

    async def stream_situation(
        self, *, mode: str | None = None, last_event_id: str | None = None
    ) -> AsyncIterator[SituationMessage]:
        """The live situation picture: a snapshot, then each change, until the caller stops."""
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        params = {"mode": mode} if mode else {}
        async with self.http.stream(
            "GET", "/v1/situation/stream", params=params, headers=headers, timeout=None
        ) as response:
            if not response.is_success:
                await response.aread()
                _answer(Call("streamSituation", "GET", "", str), response)
            parser = _EventParser()
            async for line in response.aiter_lines():
                if (message := parser.feed(line)) is not None:
                    yield message

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()
