"""Webhooks (admin): other systems subscribe to the log; deliveries and replay.

Registering is not idempotent by Idempotency-Key: the answer holds the secret, shown this once
and never stored in the clear, so a retried registration is a new webhook (list and remove the
extra one).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, HttpMethod, Request, Response, delete, get, post, route
from litestar.params import FromPath, JSONBody, Parameter
from msgspec import Meta, Struct

from service.api.guards import principal_of
from service.api.problems import ApiProblem, InvalidField
from service.api.reading import MAX_POSITION
from service.api.schemas import FieldError, Instant, Mode, Page, Slug
from service.read.webhooks import EVENT_TYPES, Webhook, WebhookRefused, Webhooks

EventType = Annotated[
    str,
    Meta(
        max_length=120,
        extra_json_schema={"enum": ["*", *sorted(EVENT_TYPES)]},
        description="an event type of the log, or * for every one",
    ),
]
Position = Annotated[int, Parameter(ge=1, le=MAX_POSITION, description="a position of the log")]


class WebhookIn(Struct, forbid_unknown_fields=True):
    """A new subscriber: where to post and which events (`*`: all)."""

    url: Annotated[
        str,
        Meta(
            max_length=2000,
            pattern=r"^https?://[^\x00-\x20\x7f/?#@]+(?:[/?#][^\x00-\x20\x7f]*)?$(?!\n)",
            description="http(s); a host with a private or loopback address is refused unless "
            "NEDBRUD_WEBHOOK_ALLOW_PRIVATE=1",
        ),
    ]
    event_types: Annotated[list[EventType], Meta(min_length=1, max_length=100)]
    mode: Mode = "actual"
    units: Annotated[list[Slug], Meta(min_length=1, max_length=500)] | None = None


class WebhookView(Struct):
    """A webhook, without its secret: what it receives and how far it has got."""

    webhook_id: UUID
    url: str
    event_types: list[str]
    mode: str
    units: list[str] | None
    created_at: Instant
    position: int


class WebhookCreated(WebhookView, kw_only=True):
    """A webhook just registered, with its signing secret (shown this once)."""

    secret: str


class DeliveryView(Struct):
    """One event sent (or being sent) to a webhook, and what the receiver answered."""

    delivery_id: int
    position: int
    event_id: UUID
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    first_attempt_at: Instant | None
    last_attempt_at: Instant | None
    next_attempt_at: Instant | None
    response_status: int | None
    error: str | None


class ReplayStarted(Struct):
    """The webhook will be sent every event it wants again, from this position on."""

    webhook_id: UUID
    from_position: int


def _view(hook: Webhook) -> dict[str, Any]:
    return {
        "webhook_id": hook.webhook_id,
        "url": hook.url,
        "event_types": list(hook.event_types),
        "mode": hook.mode,
        "units": None if hook.units is None else list(hook.units),
        "created_at": hook.created_at,
        "position": hook.position,
    }


def _registry(request: Request[Any, Any, Any]) -> Webhooks:
    registry: Webhooks = request.app.state.webhooks
    return registry


class DestinationRefused(ApiProblem):
    """422: a webhook's URL that may not receive the log (private, loopback, not resolving)."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(422, "webhook-destination-refused", f"{field}: {why}")
        self.errors = [FieldError(field=field, message=why)]


class WebhookController(Controller):
    """Webhooks out, per the Standard Webhooks specification (admin only)."""

    path = "/v1/webhooks"
    tags = ["webhooks"]

    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False)
    async def allowed_methods(self) -> Response[None]:
        """Litestar 2 names only the first of a path's methods (its #4169): say both."""
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, POST"})

    @post("/", operation_id="registerWebhook", status_code=201)
    async def register(
        self, request: Request[Any, Any, Any], data: JSONBody[WebhookIn]
    ) -> WebhookCreated:
        """Subscribe a URL to the log from now on; the answer holds the signing secret once."""
        try:
            hook, secret = await _registry(request).register(
                data.url, data.event_types, data.mode, data.units, str(principal_of(request).key_id)
            )
        except WebhookRefused as refused:
            if refused.field == "url":
                raise DestinationRefused(refused.field, str(refused)) from None
            raise InvalidField(refused.field, str(refused)) from None
        return WebhookCreated(**_view(hook), secret=secret)

    @get("/", operation_id="listWebhooks")
    async def list_webhooks(self, request: Request[Any, Any, Any]) -> list[WebhookView]:
        """Every webhook, without secrets."""
        return [WebhookView(**_view(hook)) for hook in await _registry(request).every()]

    @get("/{webhook_id:uuid}/deliveries", operation_id="listWebhookDeliveries")
    async def deliveries(
        self,
        request: Request[Any, Any, Any],
        webhook_id: FromPath[UUID],
        after: Annotated[int, Parameter(ge=0, description="the last delivery_id seen")] = 0,
        limit: Page = 100,
    ) -> list[DeliveryView]:
        """What was sent to the webhook, in order, with each answer."""
        if await _registry(request).get(webhook_id) is None:
            raise ApiProblem(404, "not-found", "no such webhook")
        rows = await _registry(request).deliveries(webhook_id, after, limit)
        return [DeliveryView(**row) for row in rows]

    @post("/{webhook_id:uuid}/replay", operation_id="replayWebhook", status_code=202)
    async def replay(
        self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID], from_position: Position
    ) -> ReplayStarted:
        """Send the webhook every event it wants again, from `from_position` on, in order."""
        if not await _registry(request).replay(webhook_id, from_position):
            raise ApiProblem(404, "not-found", "no such webhook")
        return ReplayStarted(webhook_id=webhook_id, from_position=from_position)

    @delete("/{webhook_id:uuid}", operation_id="removeWebhook", status_code=204)
    async def remove(
        self, request: Request[Any, Any, Any], webhook_id: FromPath[UUID]
    ) -> Response[None]:
        """Nothing more is sent to the webhook."""
        if not await _registry(request).remove(webhook_id):
            raise ApiProblem(404, "not-found", "no such webhook")
        return Response(None, status_code=204)
