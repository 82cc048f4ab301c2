"""Who a request is attributed to: X-Forwarded-For counts only from trusted proxies, read from
the right up to the first hop that is not a trusted proxy."""

from __future__ import annotations

import pytest
from starlette.types import Scope

from platform_common.http.client_ip import client_ip, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "127.0.0.1"])


def scope(peer: str | None, *forwarded_for: str) -> Scope:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded_for]
    return {"type": "http", "client": (peer, 51000) if peer else None, "headers": headers}


@pytest.mark.parametrize(
    ("trusted", "peer"),
    [((), "127.0.0.1"), (PROXIES, "192.0.2.10"), (PROXIES, "10.0.0.1.evil")],
    ids=["no proxies trusted", "peer not a trusted proxy", "peer not an address"],
)
def test_the_header_of_a_sender_outside_trusted_proxies_is_ignored(trusted, peer):
    assert client_ip(scope(peer, "203.0.113.7"), trusted) == peer


def test_from_a_trusted_proxy_the_right_most_hop_is_the_client():
    assert client_ip(scope("127.0.0.1", "1.1.1.1, 2.2.2.2"), PROXIES) == "2.2.2.2"


def test_trusted_hops_are_skipped_from_the_right():
    chain = "198.51.100.1, 203.0.113.7, 10.1.2.3, 10.4.5.6"
    assert client_ip(scope("10.0.0.9", chain), PROXIES) == "203.0.113.7"


def test_a_proxy_line_after_the_clients_own_line_is_read_last():
    """The client's forged line comes first; the proxy's own line, added after it, is the newer hop."""
    assert client_ip(scope("10.0.0.9", "6.6.6.6", "203.0.113.7"), PROXIES) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_only_gives_its_first_hop():
    assert client_ip(scope("10.0.0.9", "10.9.9.9, 10.1.1.1"), PROXIES) == "10.9.9.9"


@pytest.mark.parametrize("forwarded", [(), ("",), ("unknown",), ("203.0.113.7:4711",)])
def test_a_missing_or_garbled_hop_is_attributed_to_the_proxy(forwarded):
    assert client_ip(scope("10.0.0.9", *forwarded), PROXIES) == "10.0.0.9"


def test_ipv6_addresses_are_normalised():
    trusted = parse_networks(["::1"])
    assert client_ip(scope("::1", "2001:DB8:0:0::7"), trusted) == "2001:db8::7"


def test_no_socket_peer_is_unknown():
    assert client_ip(scope(None, "203.0.113.7"), PROXIES) == "unknown"


def test_a_network_written_with_host_bits_is_its_network():
    """``10.1.2.3/8`` means 10.0.0.0/8, as operators write it; it must not stop the service."""
    assert parse_networks(["10.1.2.3/8"]) == parse_networks(["10.0.0.0/8"])
    assert client_ip(scope("10.200.0.1", "203.0.113.7"), parse_networks(["10.1.2.3/8"])) == "203.0.113.7"
