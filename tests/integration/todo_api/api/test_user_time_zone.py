"""Each user's time zone: UTC until the user sets an IANA name; anything else is 422."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.factories import Account, add_member

ME = "/api/v1/users/me"


async def test_a_new_user_is_in_utc_until_they_choose_a_zone(
    client: httpx.AsyncClient, owner: Account
) -> None:
    assert (await client.get(ME, headers=owner.headers)).json()["time_zone"] == "UTC"
    changed = await client.patch(ME, json={"time_zone": "Europe/Berlin"}, headers=owner.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["time_zone"] == "Europe/Berlin"
    renamed = await client.patch(ME, json={"full_name": "Ada"}, headers=owner.headers)
    assert (renamed.json()["full_name"], renamed.json()["time_zone"]) == ("Ada", "Europe/Berlin")
    assert (await client.get(ME, headers=owner.headers)).json()["time_zone"] == "Europe/Berlin"


async def test_a_zone_is_the_users_own(client: httpx.AsyncClient, owner: Account) -> None:
    colleague = await add_member(client, owner, "bob")
    await client.patch(ME, json={"time_zone": "Asia/Tokyo"}, headers=colleague.headers)
    assert (await client.get(ME, headers=owner.headers)).json()["time_zone"] == "UTC"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/berlin", "", "../../etc/passwd", None, 5])
async def test_an_unknown_zone_is_422_pointing_at_it(
    client: httpx.AsyncClient, owner: Account, zone: object
) -> None:
    response = await client.patch(ME, json={"time_zone": zone}, headers=owner.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["source"] == {"pointer": "/time_zone"}
    assert (await client.get(ME, headers=owner.headers)).json()["time_zone"] == "UTC"
