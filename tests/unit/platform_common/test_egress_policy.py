"""SSRF rules: which addresses a webhook may reach, and how a target URL is checked."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import ip_address, ip_network

import pytest

from platform_common.http.egress import EgressPolicy, TargetRefused, check_target

REFUSED = {
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local (cloud metadata)",
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "0.0.0.0": "'this network'",  # noqa: S104  # an address refused, not bound
    "224.0.0.251": "multicast",
    "239.255.255.250": "multicast",
    "255.255.255.255": "reserved",
    "198.18.0.1": "benchmarking",
    "::1": "loopback",
    "::": "unspecified",
    "::ffff:127.0.0.1": "IPv4-mapped",
    "::ffff:8.8.8.8": "IPv4-mapped",  # mapped, even to a public address: never needed, often a trick
    "64:ff9b::a00:1": "NAT64",  # 10.0.0.1 through NAT64
    "64:ff9b::8.8.8.8": "NAT64",
    "64:ff9b:1::1": "NAT64 (local use)",
    "fc00::1": "unique-local",
    "fd00:ec2::254": "unique-local",  # AWS's IPv6 metadata address
    "fe80::1": "link-local",
    "ff02::1": "multicast",
    "2002:7f00:1::": "6to4",  # 6to4 of 127.0.0.1
    "2001:0:7f00:1::": "Teredo",
}


@pytest.mark.parametrize(("address", "why"), REFUSED.items())
def test_internal_addresses_are_refused(address: str, why: str) -> None:
    assert EgressPolicy().refusal(ip_address(address)) == f"{ip_address(address)} is a {why} address"


@pytest.mark.parametrize("address", ["192.0.2.10", "203.0.113.7", "2001:db8::1"])
def test_documentation_addresses_are_not_public(address: str) -> None:
    assert EgressPolicy().refusal(ip_address(address)) == f"{address} is not a public address"


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert EgressPolicy().refusal(ip_address(address)) is None


def test_allowed_targets_open_only_their_networks() -> None:
    policy = EgressPolicy(allowed_networks=(ip_network("10.1.0.0/16"),))
    assert policy.refusal(ip_address("10.1.2.3")) is None
    assert policy.refusal(ip_address("10.2.0.1")) is not None
    assert policy.refusal(ip_address("169.254.169.254")) is not None


def test_allowing_private_targets_opens_everything() -> None:
    policy = EgressPolicy(allow_private=True)
    assert all(policy.refusal(ip_address(address)) is None for address in REFUSED)


def resolving(answers: dict[str, Sequence[str]]):
    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in answers:
            raise OSError("Name or service not known")
        return answers[host]

    return resolve


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "the host 127.0.0.1 is refused: 127.0.0.1 is a loopback address"),
        ("http://10.0.0.1:8080/", "the host 10.0.0.1 is refused: 10.0.0.1 is a private address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "the host 169.254.169.254 is refused: 169.254.169.254 is a link-local (cloud metadata) address",
        ),
        ("http://[::1]:9000/", "the host ::1 is refused: ::1 is a loopback address"),
        (
            "https://internal.example/hook",
            "the host internal.example is refused: 10.0.0.1 is a private address",
        ),
        # One refused answer among public ones refuses the name: any of them could be used.
        ("https://mixed.example/hook", "the host mixed.example is refused: 127.0.0.1 is a loopback address"),
        ("https://nowhere.example/hook", "the host nowhere.example does not resolve"),
        ("ftp://files.example/", "the URL must start with http:// or https://"),
        ("https://user:pw@public.example/", "the URL may not carry credentials"),
        ("http://localhost:8000/", "the host localhost is refused: 127.0.0.1 is a loopback address"),
    ],
)
async def test_refused_targets(url: str, reason: str) -> None:
    resolver = resolving(
        {
            "internal.example": ["10.0.0.1"],
            "mixed.example": ["93.184.215.14", "127.0.0.1"],
            "public.example": ["93.184.215.14"],
            "localhost": ["127.0.0.1", "::1"],
        }
    )
    with pytest.raises(TargetRefused) as refused:
        await check_target(url, EgressPolicy(), resolver)
    assert str(refused.value) == reason


async def test_a_public_target_is_connected_to_the_address_that_was_checked() -> None:
    target = await check_target(
        "https://hooks.example:8443/in?x=1", EgressPolicy(), resolving({"hooks.example": ["93.184.215.14"]})
    )
    assert (target.host, str(target.address), str(target.url)) == (
        "hooks.example",
        "93.184.215.14",
        "https://hooks.example:8443/in?x=1",
    )
