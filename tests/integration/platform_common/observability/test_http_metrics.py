"""RED metrics with bounded labels: route templates, never raw paths, ids or tenants."""

from __future__ import annotations

import uuid

from prometheus_client import REGISTRY

from tests.integration.platform_common.observability.conftest import ObservedApp


def label_sets(family: str) -> set[tuple[tuple[str, str], ...]]:
    return {
        tuple(sorted(sample.labels.items()))
        for metric in REGISTRY.collect()
        if metric.name == family
        for sample in metric.samples
    }


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def add_item_route(observed: ObservedApp) -> None:
    @observed.router.get("/api/v1/probe-items/{item_id}")
    async def get_item(item_id: uuid.UUID) -> dict[str, str]:
        return {"id": str(item_id)}


async def test_requests_are_counted_and_timed_by_route_template(observed: ObservedApp) -> None:
    add_item_route(observed)
    route = "/api/v1/probe-items/{item_id}"
    before = value("http_requests_total", method="GET", route=route, status="200")
    timed_before = value("http_request_duration_seconds_count", method="GET", route=route)
    async with observed.serve() as client:
        for _ in range(3):
            await client.get(f"/api/v1/probe-items/{uuid.uuid4()}")
        await client.get("/api/v1/probe-items/not-a-uuid")
    assert value("http_requests_total", method="GET", route=route, status="200") == before + 3
    assert value("http_requests_total", method="GET", route=route, status="422") >= 1
    assert value("http_request_duration_seconds_count", method="GET", route=route) == timed_before + 4
    assert value("http_requests_in_progress", method="GET") == 0


async def test_label_sets_stay_bounded(observed: ObservedApp) -> None:
    """1,000 distinct ids and 100 unknown paths add two label sets, whatever the ids were."""
    add_item_route(observed)
    ids = [str(uuid.uuid4()) for _ in range(1000)]
    unknown = [f"/wp-content/{uuid.uuid4().hex}/x.php" for _ in range(100)]
    families = ("http_requests", "http_request_duration_seconds", "http_requests_in_progress")
    before = {family: label_sets(family) for family in families}
    async with observed.serve() as client:
        for item_id in ids:
            assert (await client.get(f"/api/v1/probe-items/{item_id}")).status_code == 200
        for path in unknown:
            assert (await client.get(path)).status_code == 404
    added = {family: label_sets(family) - before[family] for family in families}
    requests = {dict(labels)["route"] for labels in added["http_requests"]}
    assert requests <= {"/api/v1/probe-items/{item_id}", "unmatched"}
    assert len(added["http_requests"]) <= 2
    assert len({dict(labels)["route"] for labels in added["http_request_duration_seconds"]}) <= 2
    every_value = {value for family in families for labels in label_sets(family) for _, value in labels}
    assert not every_value & set(ids)
    assert not [label for label in every_value if "wp-content" in label]


async def test_metrics_can_be_turned_off(observed: ObservedApp) -> None:
    add_item_route(observed)
    before = label_sets("http_requests")
    unmatched = value("http_requests_total", method="GET", route="unmatched", status="404")
    async with observed.serve(metrics_enabled=False) as client:
        await client.get(f"/api/v1/probe-items/{uuid.uuid4()}")
        await client.get("/nowhere")
        assert observed.app.state.metrics_server is None
    assert value("http_requests_total", method="GET", route="unmatched", status="404") == unmatched
    assert label_sets("http_requests") == before
    assert len(observed.access_lines()) == 2  # the access log does not depend on metrics
