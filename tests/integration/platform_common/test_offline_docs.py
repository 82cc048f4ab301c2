"""/docs and /redoc work without internet: every asset they load comes from the app itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

# Any scheme-qualified or protocol-relative URL: a page offline can only use relative ones.
EXTERNAL = re.compile(r"""(?:[a-z][a-z0-9+.-]*:)?//[^\s'"<>]+""", re.IGNORECASE)
ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class References(HTMLParser):
    """The URLs a page loads: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.urls.append(value)


def references(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}),
        ("/redoc", {"redoc.standalone.js", "favicon.png"}),
    ],
)
async def test_the_docs_reference_no_external_host(
    client: httpx.AsyncClient, page: str, assets: set[str]
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    assert EXTERNAL.findall(html) == []  # no CDN, no fonts, no validator, no absolute link
    urls = references(html)
    assert {url.rsplit("/", 1)[-1] for url in urls} == assets
    for url in urls:
        assert url.startswith("/docs/assets/"), url
        served = await client.get(url)
        assert served.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert ASSET_TYPES[suffix] in served.headers["content-type"], url
        assert len(served.content) > 1000, url  # the real bundle, not a stub


async def test_swagger_ui_uses_the_local_spec_and_no_validator(client: httpx.AsyncClient) -> None:
    html = (await client.get("/docs")).text
    assert "url: '/openapi.json'" in html
    assert '"validatorUrl": null' in html  # Swagger UI's default sends the spec to an outside validator
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in html
    assert (await client.get("/docs/oauth2-redirect")).status_code == 200


async def test_the_assets_follow_the_proxy_mount_point(app: object) -> None:
    """Behind a proxy serving the app under a prefix (ASGI root_path), links keep the prefix."""
    mounted = httpx.ASGITransport(app=app, root_path="/todo")  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=mounted, base_url="http://testserver") as prefixed:
        html = (await prefixed.get("/docs")).text
    assert [url for url in references(html) if not url.startswith("/todo/docs/assets/")] == []
