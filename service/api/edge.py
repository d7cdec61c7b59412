"""What every HTTP exchange gets, whether a route took it or not (404, 405 included):

- an X-Request-ID: the caller's when it is sane, else a new one; it comes back in the response
  header, in every problem body and in every log line written while answering;
- a count and a duration in the metrics, by route template and status;
- one log line: method, route template, status and milliseconds; never the query or the body;
- the browser's security headers: no framing, no sniffing, no referrer, and a content security
  policy. The dashboard's allows scripts, styles and connections from its own origin only (it
  has no inline script, handler or style); an API answer allows nothing; the OpenAPI viewers
  under /schema load their own scripts and styles, so theirs only refuses framing;
- whether the caller asked for Danish (`Accept-Language: da`), for the problems it may get.

It wraps Litestar's whole ASGI handler, outside its router, because Litestar's own middleware
runs only once a route has been found.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems_da import DANISH, wants_danish
from service.runtime.logs import REQUEST_ID
from service.runtime.metrics import UNMATCHED, Metrics

VALID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
SCHEMA_CSP = "frame-ancestors 'none'"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """What every answer carries, by where it is (see the module docstring)."""
    if path == "/dashboard" or path.startswith("/dashboard/"):
        csp = DASHBOARD_CSP
    elif path == "/schema" or path.startswith("/schema/"):
        csp = SCHEMA_CSP
    else:
        csp = API_CSP
    headers = [*SECURITY_HEADERS, (b"content-security-policy", csp.encode())]
    if path.startswith("/v1/"):
        # Answers may hold CPR numbers and names: no cache, shared or the browser's, keeps one
        # (a handler that says otherwise keeps its own Cache-Control).
        headers.append((b"cache-control", b"no-store"))
    return headers


log = logging.getLogger("nedbrud.http")


def edge(app: ASGIApp, metrics: Metrics) -> ASGIApp:
    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        asked = dict(scope.get("headers", []))
        given = asked.get(b"x-request-id", b"").decode("latin-1")
        danish = DANISH.set(wants_danish(asked.get(b"accept-language", b"").decode("latin-1")))
        request_id = given if VALID.fullmatch(given) else uuid.uuid4().hex
        status = 500  # if nothing is sent at all, the server answers 500
        extra = security_headers(str(scope.get("path", "")))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {bytes(name).lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = str(scope.get("path_template") or UNMATCHED)
            method = str(scope.get("method", ""))
            metrics.observe_request(route, method, status, seconds)
            log.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "http": {
                        "method": method,
                        "route": route,
                        "status": status,
                        "ms": round(seconds * 1000, 1),
                    }
                },
            )
            REQUEST_ID.reset(token)
            DANISH.reset(danish)

    return handle
