"""``q``: every word the prefix of a word of the title or description; the user's text is
only ever words, never text-search operators, whatever characters it holds."""

from __future__ import annotations

import random
import re

import asyncpg
import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from tests.integration.factories import Account
from todo_api.repositories.tasks import prefix_query
from todo_api.schemas.task import search_words

TASKS = "/api/v1/tasks"
SEED = {
    "alpha report": "Quarterly numbers",
    "beta report": "e-mail the board",
    "gamma": "alpha's follow-up",
}


async def search(client: httpx.AsyncClient, account: Account, q: str) -> set[str]:
    response = await client.get(TASKS, params={"q": q, "size": 100}, headers=account.headers)
    assert response.status_code == 200, (q, response.text)
    return {item["title"] for item in response.json()["items"]}


@pytest.fixture
async def seeded(client: httpx.AsyncClient, owner: Account) -> Account:
    for title, description in SEED.items():
        response = await client.post(
            TASKS, json={"title": title, "description": description}, headers=owner.headers
        )
        assert response.status_code == 201, response.text
    return owner


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ALP", {"alpha report", "gamma"}),  # a prefix, any case, title or description
        ("alpha rep", {"alpha report"}),  # every word must match
        ("lpha", set()),  # a prefix, not a substring
        ("!alpha", {"alpha report", "gamma"}),  # not a negation
        ("alpha | beta", set()),  # not an alternative: both words must match
        ("alpha|gamma", set()),  # one operand: the phrase "alpha gamma"
        ("(alpha) & 'report'", {"alpha report"}),
        ("alpha:B", set()),  # not a weight restriction: the phrase "alpha b"
        ("quarterly:*", {"alpha report"}),
        ("e-mail", {"beta report"}),  # a hyphenated word is found as typed
        ("mail", {"beta report"}),  # and by its parts
        ("alpha's", {"gamma"}),
        ("\\\\' ' \\", {"alpha report", "beta report", "gamma"}),  # no word at all: no filter
    ],
)
async def test_words_are_prefixes_and_never_operators(
    client: httpx.AsyncClient, seeded: Account, q: str, expected: set[str]
) -> None:
    assert await search(client, seeded, q) == expected


HOSTILE = [
    "'",
    "''",
    "\\",
    "\\'",
    "'\\",
    "a'b\\'c",
    "&|!():*<->",
    "a & | b",
    "!!!a",
    "a:*:*",
    "a <-> b <2> c",
    "\"quoted\" 'single'",
    "\u00e9t\u00e9 \u4e2d\u6587 \U0001f600 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "\ufeff\u200b\u202e",
    "x" * 64,
    " ".join(["\\'" * 16] * 6),
    " ".join(["y" * 64] * 3),
    "\x01\x02\x1f\x7f",
]


async def test_hostile_input_is_200_through_the_api(client: httpx.AsyncClient, seeded: Account) -> None:
    for q in HOSTILE:
        await search(client, seeded, q)


_OUTSIDE_OPERANDS = re.compile(r"'(?:[^']|'')*'")


async def test_fuzzed_input_builds_a_query_of_words_joined_by_and(database: ProvisionedDatabase) -> None:
    """Thousands of strings of quotes, operators, backslashes and any other character but NUL:
    each becomes a valid query whose only operators are ours (``&``, and ``<->`` within a word
    PostgreSQL splits), never an error (a 500) and never the user's ``|`` or ``!``."""
    rng = random.Random(16)
    pool = [*"'\\&|!():*<->\" \t\n_-.,@/%abcXYZ019", "\u00e9", "\u4e2d", "\U0001f600", "\u200b"]
    samples = [
        "".join(
            rng.choice(pool)
            if rng.random() < 0.8
            else chr(rng.choice([rng.randint(1, 0xD7FF), rng.randint(0xE000, 0x10FFFF)]))
            for _ in range(rng.randint(1, 60))
        )
        for _ in range(3000)
    ]
    connection = await asyncpg.connect(database.app_url)
    try:
        for sample in samples:
            words = search_words(sample)
            if not words:
                continue
            query = await connection.fetchval("SELECT to_tsquery('simple', $1)::text", prefix_query(words))
            operators = _OUTSIDE_OPERANDS.sub("", query)
            assert re.fullmatch(r"[ &<\->:*()0-9]*", operators), (sample, query)
    finally:
        await connection.close()
