"""The Calls page (GET /voip-calls, ENABLE_CALLS_PAGE): served through every front door without credentials,
under a strict Content-Security-Policy, its assets named by their content for a long cache; off, its paths
are 404. What the page does in a browser is tested by tests/e2e/calls_page.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

import pytest

from voip_rooms import calls_page, database, handler
from voip_rooms.handler import CALLS_PAGE_PATH, lambda_handler
from voip_rooms.settings import SETTINGS
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

DOORS = sorted(EVENT_BUILDERS)
ASSET_PATH = f"{CALLS_PAGE_PATH}/assets"
YEAR = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def new_container() -> None:
    """The page built afresh, as in a new container: each test reads the files itself."""
    calls_page.site.cache_clear()


@pytest.fixture
def page_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "SETTINGS", replace(SETTINGS, enable_calls_page=True))
    monkeypatch.setattr(handler, "_resolvers", {})


@pytest.fixture
def page_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "SETTINGS", replace(SETTINGS, enable_calls_page=False))
    monkeypatch.setattr(handler, "_resolvers", {})


def _get(door: str, path: str, query: str = "") -> dict[str, Any]:
    """GET a path through one front door, without credentials."""
    result: dict[str, Any] = lambda_handler(
        EVENT_BUILDERS[door]("GET", path, query_string=query), LocalLambdaContext()
    )
    return result


def _headers(result: dict[str, Any]) -> dict[str, str]:
    """The answer's headers by lower-case name, whichever form the front door's answer uses."""
    headers = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(name.lower(), str(values[0]))
    return headers


def _policy(result: dict[str, Any]) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive → sources."""
    directives = [d.split() for d in _headers(result)["content-security-policy"].split(";") if d.strip()]
    return {directive[0]: directive[1:] for directive in directives}


class _PageReader(HTMLParser):
    """What a browser would run or load from the page: scripts, stylesheets, URLs, inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[tuple[str | None, str]] = []
        self.attributes: list[str] = []
        self.tags: list[str] = []
        self._script_type: str | None = None
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.urls += [value for name, value in attrs if name in ("href", "src") and value]
        self._in_inline_script = tag == "script" and "src" not in values
        self._script_type = values.get("type")

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts.append((self._script_type, data))
            self._in_inline_script = False


def _read(page: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(page)
    return reader


def _import_map(page: str) -> dict[str, str]:
    ((_, text),) = _read(page).inline_scripts
    imports: dict[str, str] = json.loads(text)["imports"]
    return imports


def _page_asset_urls(page: str) -> list[str]:
    """Every asset URL the page names, its import map's included (all relative to the page)."""
    reader = _read(page)
    named = [url for url in reader.urls if not url.startswith("#")]
    return named + [target.removeprefix("./") for target in _import_map(page).values()]


@pytest.mark.usefixtures("page_on")
@pytest.mark.parametrize("door", DOORS)
def test_the_page_is_html_nothing_may_store_under_a_strict_policy_through_every_front_door(door: str) -> None:
    result = _get(door, CALLS_PAGE_PATH)

    assert result["statusCode"] == 200
    headers = _headers(result)
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert result["body"].startswith("<!DOCTYPE html>")
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    policy = _policy(result)
    script_sources = policy.pop("script-src")
    assert script_sources[0] == "'self'"
    assert policy == {
        "default-src": ["'none'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
        # Trusted Types: any HTML string written into the page is an error in the browser, never markup.
        "require-trusted-types-for": ["'script'"],
        "trusted-types": ["'none'"],
    }
    assert not re.search(r"unsafe-|\*|data:|https?:", headers["content-security-policy"])


@pytest.mark.usefixtures("page_on")
def test_the_only_inline_script_is_the_import_map_allowed_by_its_hash() -> None:
    result = _get("url", CALLS_PAGE_PATH)
    reader = _read(result["body"])

    ((script_type, text),) = reader.inline_scripts
    assert script_type == "importmap"
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert _policy(result)["script-src"] == ["'self'", f"'sha256-{digest}'"]
    # No inline style or event handler, which the policy would refuse (and 'unsafe-inline' would allow).
    assert "style" not in reader.tags
    assert "style" not in reader.attributes
    assert not [name for name in reader.attributes if name.startswith("on")]


@pytest.mark.usefixtures("page_on")
@pytest.mark.parametrize("door", DOORS)
def test_every_asset_the_page_names_is_served_under_its_content_hash_for_a_year(door: str) -> None:
    urls = _page_asset_urls(_get(door, CALLS_PAGE_PATH)["body"])

    assert {url.rsplit(".", 1)[-1] for url in urls} == {"svg", "css", "js"}
    for url in urls:
        # Relative to the page, so that it resolves under any stage or base path.
        assert url.startswith("voip-calls/assets/")
        result = _get(door, f"/{url}")
        assert result["statusCode"] == 200, url
        headers = _headers(result)
        body = result["body"]
        _, digest, extension = url.rsplit("/", 1)[1].rsplit(".", 2)
        assert digest == hashlib.sha256(body.encode()).hexdigest()[: calls_page.HASH_LENGTH]
        assert headers["content-type"] == calls_page.CONTENT_TYPES[f".{extension}"]
        assert headers["cache-control"] == f"public, max-age={YEAR}, immutable"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cross-origin-resource-policy"] == "same-origin"
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.usefixtures("page_on")
def test_every_module_a_module_imports_is_in_the_import_map() -> None:
    page = _get("rest", CALLS_PAGE_PATH)["body"]
    imports = _import_map(page)
    modules = {target: _get("rest", f"/{target.removeprefix('./')}")["body"] for target in imports.values()}

    imported = {
        name
        for source in modules.values()
        for name in re.findall(r'^import .* from "\./([\w.-]+)";$', source, re.M)
    }
    assert imported
    assert {f"./voip-calls/assets/{name}" for name in imported} <= set(imports)
    # Each plain name maps to the hashed name of the same file.
    for plain, hashed in imports.items():
        assert hashed.rsplit(".", 2)[0] == plain.removesuffix(".js")


@pytest.mark.usefixtures("page_on")
@pytest.mark.parametrize("door", DOORS)
def test_head_answers_the_page_and_an_asset_as_get_does_without_the_body(door: str) -> None:
    page = _get(door, CALLS_PAGE_PATH)
    asset = f"/{_page_asset_urls(page['body'])[0]}"
    for path, got in ((CALLS_PAGE_PATH, page), (asset, _get(door, asset))):
        head = lambda_handler(EVENT_BUILDERS[door]("HEAD", path), LocalLambdaContext())

        assert (head["statusCode"], head["body"]) == (200, ""), path
        assert _headers(head) == _headers(got)


@pytest.mark.usefixtures("page_on")
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("name", ["main.js", "main.000000000000.js", "index.html", "calls_page.py"])
def test_an_unknown_asset_name_another_deployment_s_included_is_not_found(door: str, name: str) -> None:
    result = _get(door, f"{ASSET_PATH}/{name}")

    assert result["statusCode"] == 404
    assert json.loads(result["body"]) == {"success": False, "error": "Not found"}
    assert _headers(result)["cache-control"] == "no-store"


@pytest.mark.usefixtures("page_on")
@pytest.mark.parametrize("door", DOORS)
def test_a_trailing_slash_is_sent_to_the_page_relatively_with_its_filters(door: str) -> None:
    result = _get(door, f"{CALLS_PAGE_PATH}/", "roomName=Mary+Jones&open=true")

    assert result["statusCode"] == 308
    # Relative: "/prod/voip-calls/" becomes "/prod/voip-calls" behind a REST API stage.
    assert _headers(result)["location"] == "../voip-calls?roomName=Mary+Jones&open=true"
    assert _headers(result)["cache-control"] == "no-store"
    assert result["body"] == ""


@pytest.mark.usefixtures("page_on")
def test_a_trailing_slash_without_filters_is_sent_to_the_page_alone() -> None:
    assert _headers(_get("http", f"{CALLS_PAGE_PATH}/"))["location"] == "../voip-calls"


@pytest.mark.usefixtures("page_on")
def test_the_page_and_its_assets_need_no_database(rooms_never_read: list[Any]) -> None:
    database.use_database(None)
    page = _get("rest", CALLS_PAGE_PATH)
    assets = [_get("rest", f"/{url}") for url in _page_asset_urls(page["body"])]

    assert [page["statusCode"], *(asset["statusCode"] for asset in assets)] == [200] * (len(assets) + 1)
    assert rooms_never_read == []


def test_the_page_s_code_writes_no_markup_and_talks_only_to_the_rooms_api() -> None:
    sources = {path.name: path.read_text() for path in sorted(calls_page.STATIC_DIR.glob("*.js"))}

    for name, source in sources.items():
        # Room data goes in as text (textContent); the policy's Trusted Types would refuse markup anyway.
        assert not re.search(
            r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|Function\(", source
        ), name
        assert not re.search(r"\.style\b|setAttribute\(\"style|setAttribute\(\"on", source), name
    fetches = {name: len(re.findall(r"\bfetch\(", source)) for name, source in sources.items()}
    assert {name: n for name, n in fetches.items() if n} == {"api.js": 1}
    assert 'const ROOMS_URL = "api/v1/voip/rooms";' in sources["api.js"]


def _metrics(line: dict[str, Any]) -> list[str]:
    """The metric names a request line's EMF directive declares."""
    return [metric["Name"] for metric in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]]


@pytest.mark.usefixtures("page_on")
def test_each_visit_writes_its_request_line_counted_apart_from_the_api(logs: Any) -> None:
    _get("alb", CALLS_PAGE_PATH)
    _get("alb", f"{ASSET_PATH}/unknown.js")
    _get("alb", "/api/v1/voip/rooms")  # no credentials: the API's own 401

    lines = [line for line in logs() if line.get("message") == "request"]
    assert [(line["path"], line["status"]) for line in lines] == [
        (CALLS_PAGE_PATH, 200),
        (f"{ASSET_PATH}/unknown.js", 404),
        ("/api/v1/voip/rooms", 401),
    ]
    # The API's Requests and Latency (its alarms' 5xx share, its latency dashboards) hold API requests only.
    page_line, asset_line, api_line = lines
    for line in (page_line, asset_line):
        assert [name for name in _metrics(line) if name != "ColdStart"] == ["PageRequests", "PageLatency"]
        assert line["served"] == "calls-page"
        assert line["PageRequests"] == 1
        assert isinstance(line["PageLatency"], float)
        assert "Requests" not in line
        assert "Latency" not in line
    assert _metrics(api_line) == ["Requests", "Latency"]


@pytest.mark.usefixtures("page_off")
@pytest.mark.parametrize("door", DOORS)
def test_without_the_setting_the_page_and_its_assets_are_not_found(door: str) -> None:
    asset = next(iter(calls_page.site(calls_page.STATIC_DIR).assets))
    for path in (CALLS_PAGE_PATH, f"{CALLS_PAGE_PATH}/", f"{ASSET_PATH}/{asset}"):
        result = _get(door, path)
        assert result["statusCode"] == 404, path
        assert json.loads(result["body"]) == {"success": False, "error": "Not found"}
