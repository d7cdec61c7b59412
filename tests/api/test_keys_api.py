"""Keys over HTTP (admin): a key is made with a role and its units and shown once, listed without
its secret, and revoked so that its next request fails; bad input names the field."""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
import pytest

from service.access.auth import Role
from tests.api.outage import Client

pytestmark = pytest.mark.anyio


def as_role(keys: dict[Role, str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[role]}"}


async def test_an_admin_makes_a_key_that_works_is_listed_without_its_secret_and_revoked(
    client: Client, keys: dict[Role, str], pool: asyncpg.Pool
) -> None:
    admin = as_role(keys, Role.ADMIN)
    made = await client.post(
        "/v1/keys",
        json={"role": "staff", "units": ["botilbud-solsikken"], "label": "Solsikken tablet"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    created = made.json()
    assert set(created) == {"key_id", "key", "role", "units", "label", "created_at"}
    assert created["role"] == "staff"
    assert created["units"] == ["botilbud-solsikken"]
    assert created["label"] == "Solsikken tablet"
    assert created["created_at"].endswith("Z")
    assert created["key"].startswith("nbd_")
    assert made.headers["cache-control"] == "no-store"

    holder = {"Authorization": f"Bearer {created['key']}"}
    assert (await client.get("/v1/situation", headers=holder)).status_code == 200
    readiness = await client.get("/v1/readiness", headers=holder)
    assert readiness.status_code == 200  # a unit key: only its unit's lists

    listed = await client.get("/v1/keys", headers=admin)
    assert listed.status_code == 200
    assert created["key"] not in listed.text
    (mine,) = [k for k in listed.json() if k["key_id"] == created["key_id"]]
    assert mine["revoked_at"] is None
    assert mine["units"] == ["botilbud-solsikken"]
    assert "key" not in mine
    assert "key_hash" not in mine
    # Stored as its hash only.
    row = await pool.fetchrow("SELECT * FROM api_keys WHERE key_id = $1::uuid", created["key_id"])
    assert row is not None
    assert bytes(row["key_hash"]) == hashlib.sha256(created["key"].encode()).digest()
    assert created["key"] not in repr(dict(row))

    gone = await client.delete(f"/v1/keys/{created['key_id']}", headers=admin)
    assert gone.status_code == 204
    refused = await client.get("/v1/situation", headers=holder)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    listed_again = (await client.get("/v1/keys", headers=admin)).json()
    (mine,) = [k for k in listed_again if k["key_id"] == created["key_id"]]
    assert mine["revoked_at"] is not None
    again = await client.delete(f"/v1/keys/{created['key_id']}", headers=admin)
    assert again.status_code == 404
    assert again.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "superuser", "label": "x"}, "role"),
        ({"label": "x"}, "role"),
        ({"role": "staff", "label": ""}, "label"),
        ({"role": "staff", "label": "   "}, "label"),
        ({"role": "staff"}, "label"),
        ({"role": "staff", "label": "x", "units": []}, "units"),
        ({"role": "staff", "label": "x", "units": ["Botilbud Solsikken"]}, "units[0]"),
        ({"role": "staff", "label": "x", "key": "nbd_mine"}, "key"),
    ],
)
async def test_a_key_asked_for_with_bad_input_is_refused_naming_the_field(
    client: Client, keys: dict[Role, str], pool: asyncpg.Pool, body: dict[str, Any], field: str
) -> None:
    before = await pool.fetchval("SELECT count(*) FROM api_keys")
    answer = await client.post("/v1/keys", json=body, headers=as_role(keys, Role.ADMIN))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert await pool.fetchval("SELECT count(*) FROM api_keys") == before


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_only_an_admin_may_make_list_or_revoke_keys(
    client: Client, keys: dict[Role, str], role: Role
) -> None:
    headers = as_role(keys, role)
    made = await client.post("/v1/keys", json={"role": "admin", "label": "x"}, headers=headers)
    listed = await client.get("/v1/keys", headers=headers)
    some = "00000000-0000-4000-8000-000000000000"
    revoked = await client.delete(f"/v1/keys/{some}", headers=headers)
    for answer in (made, listed, revoked):
        assert answer.status_code == 403, answer.text
        assert answer.json()["type"] == "/problems/forbidden"


async def test_an_admin_key_for_one_unit_cannot_make_itself_a_wider_one(
    client: Client, pool: asyncpg.Pool, keys: dict[Role, str]
) -> None:
    from service.access.auth import create_key

    scoped = await create_key(pool, Role.ADMIN, "egen admin", units=["botilbud-egen"])
    headers = {"Authorization": f"Bearer {scoped}"}
    wider = await client.post("/v1/keys", json={"role": "admin", "label": "x"}, headers=headers)
    listed = await client.get("/v1/keys", headers=headers)
    everyone = (await client.get("/v1/keys", headers=as_role(keys, Role.ADMIN))).json()
    revoked = await client.delete(f"/v1/keys/{everyone[0]['key_id']}", headers=headers)
    hook = await client.post(
        "/v1/webhooks", json={"url": "https://intranet.example/x", "event_types": ["*"]},
        headers=headers,
    )  # fmt: skip
    hooks = await client.get("/v1/webhooks", headers=headers)
    for answer in (wider, listed, revoked, hook, hooks):
        assert answer.status_code == 403, answer.text
        assert answer.json()["type"] == "/problems/every-unit-key-needed"
    still = (await client.get("/v1/keys", headers=as_role(keys, Role.ADMIN))).json()
    assert len(still) == len(everyone)
    assert all(k["revoked_at"] is None for k in still if k["key_id"] == everyone[0]["key_id"])
    # What a unit's admin may do for its own unit stays: it reads its unit's worklist.
    own = await client.get("/v1/back-entry", params={"unit": "botilbud-egen"}, headers=headers)
    assert own.status_code == 200


async def test_a_key_tells_its_holder_its_role_and_units_so_the_forms_can_offer_them(
    client: Client, keys: dict[Role, str]
) -> None:
    made = await client.post(
        "/v1/keys",
        json={"role": "staff", "units": ["botilbud-solsikken"], "label": "Solsikken telefon"},
        headers={"Authorization": f"Bearer {keys[Role.ADMIN]}"},
    )
    own = await client.get("/v1/keys/me", headers={"Authorization": f"Bearer {made.json()['key']}"})
    assert own.status_code == 200
    assert own.json() == {
        "key_id": made.json()["key_id"],
        "role": "staff",
        "units": ["botilbud-solsikken"],
    }
