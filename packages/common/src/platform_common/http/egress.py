"""Requests to addresses that users chose (webhooks): the rules that keep them off our networks.

Server-side request forgery is the main risk of letting users name a URL the platform will
call: without these rules a webhook could reach the cloud metadata service, the database,
or anything else on the internal network. So:

- A target is refused when *any* address it resolves to is loopback, private, link-local
  (which holds the cloud-metadata address 169.254.169.254), multicast, carrier-grade NAT,
  unique-local, IPv4-mapped, NAT64, 6to4/Teredo, reserved, or otherwise not globally
  routable (``REFUSED_NETWORKS``, then ``ipaddress``'s ``is_global`` as the catch-all).
- At delivery the name is resolved **once**, every address checked, and the connection made
  to the checked address itself (``Host`` and TLS SNI keep the name, and the certificate is
  verified against the name): a second lookup, which DNS rebinding would answer differently,
  never happens.
- Proxy variables of the environment are ignored (``trust_env=False``), redirects are not
  followed, connect and read time out, and at most ``max_response_bytes`` of a response
  are read.

Two settings open it deliberately: ``allow_private`` (development and tests only; refused in
production) and ``allowed_networks`` (CIDRs inside one's own network, allowed anywhere).
The resolver is a parameter, so tests can make a name resolve to whatever they need.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

import httpx

from platform_common.http.client_ip import Network

Address = IPv4Address | IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

REFUSED_NETWORKS: tuple[tuple[Network, str], ...] = tuple(
    (ip_network(cidr), why)
    for cidr, why in (
        ("0.0.0.0/8", "'this network'"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local (cloud metadata)"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::ffff:0:0/96", "IPv4-mapped"),
        ("64:ff9b::/96", "NAT64"),
        ("64:ff9b:1::/48", "NAT64 (local use)"),
        ("100::/64", "discard-only"),
        ("2001::/32", "Teredo"),
        ("2002::/16", "6to4"),
        ("fc00::/7", "unique-local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)


class TargetRefused(Exception):
    """The URL may not be called; the message says why (safe to show its owner)."""


@dataclass(frozen=True)
class EgressPolicy:
    allow_private: bool = False
    allowed_networks: tuple[Network, ...] = ()

    def refusal(self, address: Address) -> str | None:
        """Why ``address`` may not be called, or None."""
        if self.allow_private or any(address in network for network in self.allowed_networks):
            return None
        for network, why in REFUSED_NETWORKS:
            if address in network:
                return f"{address} is a {why} address"
        if not address.is_global:
            return f"{address} is not a public address"
        return None


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The system's resolver (getaddrinfo, in asyncio's thread pool: never on the loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    host: str  # the name, for Host and SNI
    address: Address  # the checked address the connection goes to


def _literal(host: str) -> Address | None:
    try:
        return ip_address(host)
    except ValueError:
        return None


def parse_target_url(url: str) -> httpx.URL:
    """An ``http(s)://host[:port]/...`` URL without credentials, or ``TargetRefused``."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("the URL must start with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL may not carry credentials")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise TargetRefused("the URL is not valid") from exc
    if not parsed.host:
        raise TargetRefused("the URL has no host")
    return parsed


async def check_target(
    url: str, policy: EgressPolicy, resolver: Resolver = system_resolver, *, resolve_seconds: float = 5.0
) -> Target:
    """Resolve once and check every address; the target to connect to, or ``TargetRefused``."""
    parsed = parse_target_url(url)
    host = parsed.host
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            async with asyncio.timeout(resolve_seconds):
                resolved = await resolver(host, parsed.port or (443 if parsed.scheme == "https" else 80))
        except (OSError, TimeoutError) as exc:
            raise TargetRefused(f"the host {host} does not resolve") from exc
        addresses = [ip_address(address.split("%", 1)[0]) for address in resolved]
        if not addresses:
            raise TargetRefused(f"the host {host} does not resolve")
    for address in addresses:
        reason = policy.refusal(address)
        if reason is not None:
            raise TargetRefused(f"the host {host} is refused: {reason}")
    return Target(parsed, host, addresses[0])


@dataclass(frozen=True)
class Reply:
    status_code: int
    duration_ms: int


def egress_client(
    *, connect_timeout: float, read_timeout: float, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncClient:
    """The client for calls to user-chosen targets: no proxies from the environment, no
    redirects, timeouts, and no kept-alive connections (a pooled connection is keyed by the
    address, and must never carry one name's request to a socket opened for another).
    ``verify``: certificates are verified (against the target's name), by default with
    certifi's authorities; tests pass a context that trusts their own."""
    return httpx.AsyncClient(
        verify=verify,
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        limits=httpx.Limits(max_keepalive_connections=0),
    )


async def post(
    client: httpx.AsyncClient,
    target: Target,
    *,
    content: bytes,
    headers: Mapping[str, str],
    max_response_bytes: int,
    total_seconds: float,
) -> Reply:
    """POST to the checked address of ``target`` (Host and SNI: its name). Reads at most
    ``max_response_bytes`` of the answer, and gives up after ``total_seconds`` in all (a
    receiver dripping a byte just inside each read timeout would otherwise hold the delivery
    for hours). Raises ``httpx.HTTPError`` on network failures, ``TimeoutError`` past the deadline."""
    host_header = target.url.netloc.decode("ascii")
    request = client.build_request(
        "POST",
        target.url.copy_with(host=str(target.address)),
        content=content,
        headers={**headers, "Host": host_header},
        extensions={"sni_hostname": target.host} if target.url.scheme == "https" else {},
    )
    started = time.perf_counter()
    async with asyncio.timeout(total_seconds):
        response = await client.send(request, stream=True)
        try:
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received >= max_response_bytes:
                    break
        finally:
            await response.aclose()
    return Reply(response.status_code, round((time.perf_counter() - started) * 1000))
