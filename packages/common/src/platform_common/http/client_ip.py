"""The client's address: the socket peer, or what a trusted proxy says it forwarded for."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.datastructures import Headers
from starlette.types import Scope

Network = IPv4Network | IPv6Network


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "127.0.0.1"]`` → networks; a bare address is a /32 or /128."""
    return tuple(ip_network(value, strict=False) for value in values)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_ip(scope: Scope, trusted_proxies: Sequence[Network]) -> str:
    """The address to attribute a request to.

    ``X-Forwarded-For`` is believed only when the socket peer is a trusted proxy, and then
    only as far as the chain of trusted proxies goes: walking it from the right, the first
    address that is not a trusted proxy is the client. A header sent by anyone else
    changes nothing. Several header lines are one list in order (RFC 9110 §5.3): a proxy
    that adds its own line after the client's is read last, as if it had appended.

    This is the only interpreter of ``X-Forwarded-For``: uvicorn's own (``--proxy-headers``)
    is switched off wherever the service is started, so ``scope["client"]`` is the socket peer.
    """
    peer = scope["client"][0] if scope.get("client") else "unknown"
    if not trusted_proxies or not _trusted(peer, trusted_proxies):
        return peer
    forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted_proxies):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage from the proxy's client: attribute it to the proxy
    return hops[0] if hops else peer
