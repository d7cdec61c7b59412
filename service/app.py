"""The one place that wires nedbrud together: pool, store, services, routes, error handling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from service.access.auth import Authenticator
from service.access.ratelimit import RateLimiter
from service.api.cloudevents import CloudEventsController
from service.api.contacts import ContactController
from service.api.document import complete
from service.api.edge import edge
from service.api.emergency_list import EmergencyListController
from service.api.fhir import FhirController
from service.api.guards import require_key
from service.api.health import HealthController, MetricsController
from service.api.incidents import IncidentController
from service.api.journal_entries import JournalEntriesController
from service.api.keys import KeyController
from service.api.paper import PaperController
from service.api.problems import EXCEPTION_HANDLERS
from service.api.records import ManualRecordController
from service.api.reports import ReportController
from service.api.rounds import RoundsController
from service.api.rounds_watch import RoundsWatch
from service.api.situation import SharedChanges, SituationController
from service.api.static import DashboardFiles
from service.api.units import UnitController
from service.api.views import IncidentViews
from service.api.webhooks import WebhookController
from service.api.worklist import WorklistController
from service.log import failover
from service.log.checkpoints import keep_checkpoints, load_or_create_signing_key
from service.log.codec import Codec
from service.log.store import EventStore
from service.log.streams import Streams
from service.log.vault import KEY_FILE as SEALING_KEY_FILE
from service.log.vault import Vault
from service.read.notifier import Notifier
from service.read.projections import PROJECTIONS
from service.read.projector import Projector
from service.read.reports import ReportService
from service.read.webhook_worker import WebhookWorker
from service.read.webhooks import SecretBox, Webhooks
from service.runtime.collector import tune_collector
from service.runtime.metrics import Metrics
from service.runtime.plan_file import read_plan
from service.runtime.settings import Settings
from service.write.citizens import CitizenRefs, load_or_create_key
from service.write.emergency_lists import EmergencyListService
from service.write.idempotency import FirstAnswers
from service.write.incidents import IncidentService
from service.write.records import ManualRecordService
from service.write.rounds import RoundsService
from service.write.units import UnitService
from service.write.use_cases import UseCases

MAX_BODY_BYTES = 64 * 1024
# Every host of a multi-host DATABASE_URL at once, keeping the one that takes writes (the
# stubs' protocol spells out each of asyncpg.connect's keywords; this passes them on).
POOL_CONNECT: Any = failover.connect


DASHBOARD_DIR = Path(__file__).resolve().parent.parent / "clients" / "dashboard"
VERSION = "0.1.0"


async def keep_session(_: asyncpg.Connection) -> None:
    """What a pooled connection needs on release: nothing. asyncpg still ends any open
    transaction; its default reset query (unlock all, close all, unlisten, reset all) would cost
    a round trip per release, about a tenth of the server's time under load, for session state
    the service never sets on pooled connections (LISTEN, session locks and SET are each on a
    connection of their own)."""


def create_app(settings: Settings | None = None, *, serving: bool = False) -> Litestar:
    """The ASGI app; nothing connects until its lifespan starts. `serving`: the app is the
    process's one app (`nedbrud serve`), and the collector is tuned once it has started (not in
    a test process, which makes hundreds of apps)."""
    settings = settings or Settings.from_env()
    plan = read_plan(settings.plan_path)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        url = settings.service_url()
        if url is None:
            raise RuntimeError("DATABASE_URL is not set: start the service with `nedbrud serve`")
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=settings.pool_size,
            reset=keep_session,
            connect=POOL_CONNECT,
            server_settings={
                "lock_timeout": str(settings.lock_timeout_ms),
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": "nedbrud",
            },
        )
        store = EventStore(pool, on_commit=metrics.group_commit.observe)
        notifier = Notifier(url)
        await store.start()
        await notifier.start()
        projectors = [Projector(url, p, notifier) for p in PROJECTIONS.values()]
        for projector in projectors:
            projector.start()
        metrics.attach(store, projectors)
        signer, checkpointer = None, None
        if settings.checkpoint_interval_s > 0:
            signer = load_or_create_signing_key(settings.data_dir)
            checkpointer = asyncio.create_task(
                keep_checkpoints(
                    pool, signer, settings.checkpoints(), settings.checkpoint_interval_s
                )
            )
        sealing = settings.sealing_key or load_or_create_key(settings.data_dir, SEALING_KEY_FILE)
        streams = Streams(store, Codec(), Vault(pool, sealing))
        lists = EmergencyListService(streams)
        rounds = RoundsService(streams, lists, plan)
        views = IncidentViews(plan)
        watch = RoundsWatch(pool, rounds, lists, views, settings.rounds_interval_s)
        watch.start()
        secrets = SecretBox(sealing)
        webhook_worker = WebhookWorker(
            url,
            pool,
            notifier,
            secrets,
            allow_private=settings.webhook_allow_private,
            retry_base_s=settings.webhook_retry_base_s,
            retry_for_s=settings.webhook_retry_for_s,
        )
        webhook_worker.start()
        incidents = IncidentService(streams, plan, rounds)
        records = ManualRecordService(streams)
        units = UnitService(streams)
        first_answers = FirstAnswers(pool)
        citizen_refs = CitizenRefs(settings.pseudonym_key or load_or_create_key(settings.data_dir))
        app.state.update(
            pool=pool,
            store=store,
            notifier=notifier,
            incidents=incidents,
            records=records,
            units=units,
            lists=lists,
            rounds=rounds,
            reports=ReportService(store, plan),
            projectors=projectors,
            checkpoint_signer=signer,
            checkpoint_dir=settings.checkpoints(),
            shared_changes=SharedChanges(store, notifier, pool, plan, streams.codec, watch),
            rounds_watch=watch,
            first_answers=first_answers,
            authenticator=Authenticator(pool),
            incident_views=views,
            rate_limiter=RateLimiter(settings.rate_per_second, settings.rate_burst),
            public_url=settings.public_url,
            webhooks=Webhooks(pool, secrets, allow_private=settings.webhook_allow_private),
            auth_failures=RateLimiter(settings.auth_failure_rate, settings.auth_failure_burst),
            citizen_refs=citizen_refs,
            # The write operations, each `(command, context) -> answer`, for the HTTP handlers
            # and the CloudEvents path alike (`service/write/use_cases.py`).
            use_cases=UseCases(
                incidents=incidents,
                records=records,
                units=units,
                lists=lists,
                rounds=rounds,
                citizen_refs=citizen_refs,
                first_answers=first_answers,
                store=store,
            ),
        )
        if serving:
            tune_collector()
        try:
            yield
        finally:
            if checkpointer is not None:
                checkpointer.cancel()
            await watch.close()
            await webhook_worker.close()
            for projector in projectors:
                await projector.close()
            await notifier.close()
            await store.close()
            await pool.close()

    def from_state(name: str) -> Provide:
        def provide(state: State) -> Any:
            return state[name]

        return Provide(provide, sync_to_thread=False)

    def value(it: Any) -> Provide:
        def provide() -> Any:
            return it

        return Provide(provide, sync_to_thread=False)

    v1 = Router(
        path="/",
        route_handlers=[
            IncidentController,
            ManualRecordController,
            JournalEntriesController,
            UnitController,
            EmergencyListController,
            RoundsController,
            ReportController,
            ContactController,
            PaperController,
            SituationController,
            WorklistController,
            FhirController,
            CloudEventsController,
            WebhookController,
            KeyController,
        ],
        guards=[require_key],
    )
    # The dashboard: static files (HTML, CSS, ES modules) that talk to /v1 like any client.
    dashboard = create_static_files_router(
        path="/dashboard",
        directories=[DASHBOARD_DIR],
        file_system=DashboardFiles(),
        html_mode=True,
        include_in_schema=False,
        name="dashboard",
    )
    app = Litestar(
        route_handlers=[v1, HealthController, MetricsController, dashboard],
        lifespan=[lifespan],
        # Named apart from every body field: Litestar reports a body field that shares a
        # dependency's name as a server error (500) instead of a 422 naming the field.
        dependencies={
            "incidents": from_state("incidents"),
            "record_service": from_state("records"),
            "use_cases": from_state("use_cases"),
            "list_service": from_state("lists"),
            "unit_service": from_state("units"),
            "rounds_service": from_state("rounds"),
            "report_service": from_state("reports"),
            "incident_views": from_state("incident_views"),
            "rounds_watch": from_state("rounds_watch"),
            "plan_in_force": value(plan),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,  # `nedbrud serve` sets up JSON lines (service/runtime/logs.py)
        openapi_config=OpenAPIConfig(
            title="nedbrud",
            use_handler_docstrings=True,  # each handler's one-sentence docstring describes it
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
    app.state.metrics = metrics
    app.asgi_handler = edge(app.asgi_handler, metrics)
    complete(app.openapi_schema)
    return app


def app_from_env() -> Litestar:
    """A worker process's app (`nedbrud serve --workers N`): settings from the environment."""
    from service.runtime.logs import configure

    configure()
    return create_app(serving=True)
