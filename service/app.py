"""The one place that wires nedbrud together: pool, store, services, routes, error handling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from service.api.guards import require_key
from service.api.health import HealthController
from service.api.incidents import IncidentController
from service.api.problems import EXCEPTION_HANDLERS
from service.codec import Codec
from service.incidents import IncidentService
from service.notifier import Notifier
from service.settings import Settings
from service.store import EventStore

MAX_BODY_BYTES = 64 * 1024
VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> Litestar:
    """The ASGI app; nothing connects until its lifespan starts."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not set: start the service with `nedbrud serve`")
        pool = await asyncpg.create_pool(
            settings.database_url,
            min_size=1,
            max_size=settings.pool_size,
            server_settings={
                "lock_timeout": str(settings.lock_timeout_ms),
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": "nedbrud",
            },
        )
        store = EventStore(pool)
        notifier = Notifier(settings.database_url)
        await store.start()
        await notifier.start()
        app.state.update(
            pool=pool, store=store, notifier=notifier, incidents=IncidentService(store, Codec())
        )
        try:
            yield
        finally:
            await notifier.close()
            await store.close()
            await pool.close()

    def incidents(state: State) -> IncidentService:
        service: IncidentService = state.incidents
        return service

    v1 = Router(path="/", route_handlers=[IncidentController], guards=[require_key])
    return Litestar(
        route_handlers=[v1, HealthController],
        lifespan=[lifespan],
        dependencies={"incidents": Provide(incidents, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="nedbrud",
            version=VERSION,
            description="Event-sourced incident log for IT outages (IT-nedbrud) in municipal "
            "social care. Every write returns a receipt; every refusal is "
            "application/problem+json.",
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="An API key: Authorization: Bearer <key>",
                    )
                }
            ),
            security=[{"apiKey": []}],
        ),
    )
