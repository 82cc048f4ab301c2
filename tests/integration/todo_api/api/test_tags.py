"""Tags are stored and matched in one form (NFC, trimmed, case-folded); a control
character makes a tag invalid, in a body and in a filter alike."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.factories import Account, signup

TASKS = "/api/v1/tasks"


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Account:
    return await signup(client, "acme")


@pytest.mark.parametrize(
    "tag", ["\x1fwork", "work\x00", "\twork", "work\n", "wo\x7frk", "work\x85", "\x9b31m"]
)
async def test_a_tag_with_a_control_character_is_422_in_a_body_and_a_filter(
    client: httpx.AsyncClient, owner: Account, tag: str
) -> None:
    created = await client.post(TASKS, json={"title": "x", "tags": ["ok", tag]}, headers=owner.headers)
    assert created.status_code == 422
    assert created.json()["errors"][0]["source"] == {"pointer": "/tags/1"}
    listed = await client.get(TASKS, params={"tag": tag}, headers=owner.headers)
    assert listed.status_code == 422
    assert listed.json()["errors"][0]["source"] == {"parameter": "tag"}


async def test_one_tag_however_it_is_spelt(client: httpx.AsyncClient, owner: Account) -> None:
    spellings = ["Caf\u00e9", "Cafe\u0301", " CAF\u00c9\u3000", "caf\u00e9"]  # NFC, NFD, upper case, spaces
    created = await client.post(
        TASKS, json={"title": "x", "tags": [*spellings, "STRASSE", "Stra\u00dfe"]}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["caf\u00e9", "strasse"]
    for spelling in [*spellings, "strasse", "STRA\u1e9eE"]:  # U+1E9E: capital sharp s
        found = await client.get(TASKS, params={"tag": spelling}, headers=owner.headers)
        assert found.status_code == 200
        assert found.json()["total"] == 1, spelling
    both = await client.get(TASKS, params=[("tag", "Cafe\u0301"), ("tag", "STRASSE")], headers=owner.headers)
    assert both.json()["total"] == 1
    assert (await client.get(TASKS, params={"tag": "cafe"}, headers=owner.headers)).json()["total"] == 0


async def test_a_patch_stores_tags_in_the_same_form(client: httpx.AsyncClient, owner: Account) -> None:
    created = await client.post(TASKS, json={"title": "x"}, headers=owner.headers)
    patched = await client.patch(
        f"{TASKS}/{created.json()['id']}", json={"tags": ["Cafe\u0301", "caf\u00e9"]}, headers=owner.headers
    )
    assert patched.json()["tags"] == ["caf\u00e9"]
