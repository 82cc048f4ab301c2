"""Bearer authentication that refreshes itself (httpx ``Auth``, for sync and async clients).

Each request carries the current access token. Shortly before the token expires, or when
the server answers 401, the refresh token is exchanged at the token endpoint with the
standard OAuth2 refresh grant (``grant_type=refresh_token``, RFC 6749 §6) and the request is
sent once more with the new token. Refresh tokens rotate: the new pair replaces the old one
(``on_refresh`` hears of it, to persist it). One ``TokenAuth`` per thread or task: two
refreshes of one token at once look to the server like a stolen token being reused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx

TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105  # a path
EXPIRY_MARGIN_SECONDS = 30.0


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float  # time.time() after which the access token is refused

    @classmethod
    def from_pair(cls, pair: dict[str, object], *, now: float | None = None) -> Tokens:
        """From a token endpoint's JSON answer (``access_token``, ``refresh_token``, ``expires_in``)."""
        expires_in = pair["expires_in"]
        if not isinstance(expires_in, int | float):
            raise TypeError("expires_in must be a number")
        return cls(
            str(pair["access_token"]),
            str(pair["refresh_token"]),
            (time.time() if now is None else now) + float(expires_in),
        )


class RefreshFailed(Exception):
    """The refresh token was refused (expired, revoked, reused): log in again."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"token refresh refused: {response.status_code} {response.text[:200]}")
        self.response = response


class TokenAuth(httpx.Auth):
    requires_response_body = True  # the refresh's answer is read inside the flow

    def __init__(
        self,
        tokens: Tokens,
        *,
        token_url: str = TOKEN_PATH,
        on_refresh: Callable[[Tokens], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tokens = tokens
        self.token_url = token_url
        self.on_refresh = on_refresh
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.clock() >= self.tokens.expires_at - EXPIRY_MARGIN_SECONDS:
            yield from self._refresh(request)
        request.headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        response = yield request
        if response.status_code == 401:
            yield from self._refresh(request)
            request.headers["Authorization"] = f"Bearer {self.tokens.access_token}"
            yield request

    def _refresh(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        form = {"grant_type": "refresh_token", "refresh_token": self.tokens.refresh_token}
        response = yield httpx.Request("POST", request.url.join(self.token_url), data=form)
        if response.status_code != 200:
            raise RefreshFailed(response)
        self.tokens = Tokens.from_pair(response.json(), now=self.clock())
        if self.on_refresh is not None:
            self.on_refresh(self.tokens)
