"""The Calls page at GET /voip-calls: the call-center history page Rocket.Chat 8.0 removed.

The handler imports this module on the page's first visit, never at a cold start, and never when
ENABLE_CALLS_PAGE is false. The page is plain HTML, CSS and JavaScript modules from static/calls/
beside this module, with no build step. On first use the files are read once, each asset is named by
its content hash (so browsers may keep it for a year), and the page gets an import map sending each
module's plain name to its hashed one: a module imports "./api.js" and loads the current api.<hash>.js.
That import map is the page's one inline script, allowed by its hash in the Content-Security-Policy.

Every URL in the page is relative to it (voip-calls/assets/..., api/v1/voip/rooms), so the page works
under any prefix a front door adds (a REST API stage, a custom domain's base path) without knowing it.
The page reads data only from this API, in the browser, with the user's credentials: the function
serves it no data of its own.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler.api_gateway import Response

from voip_rooms import request_log, responses

STATIC_DIR = Path(__file__).with_name("static") / "calls"
TEMPLATE = "index.html"
# Where the page's assets are, relative to the page's own URL.
ASSETS_URL = "voip-calls/assets/"
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
HASH_LENGTH = 12
# {{name}} in the template: an asset's URL, or the import map.
_PLACEHOLDER = re.compile(r"\{\{([\w.-]+)\}\}")
IMPORT_MAP_PLACEHOLDER = "import-map"

# Headers of every answer: no MIME sniffing, no framing, no referrer (filters in the URL can name callers).
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# The page changes with every deployment and is tiny: never stored. Its policy names its import map's hash.
PAGE_HEADERS = {**COMMON_HEADERS, "Cross-Origin-Opener-Policy": "same-origin", "Cache-Control": "no-store"}
CONTENT_SECURITY_POLICY = "Content-Security-Policy"
# Hashed assets never change; one opened on its own (the SVG icon) may run or load nothing.
ASSET_HEADERS = {
    **COMMON_HEADERS,
    "Cache-Control": "public, max-age=31536000, immutable",
    CONTENT_SECURITY_POLICY: "default-src 'none'; frame-ancestors 'none'",
}
REDIRECT_HEADERS = {"Cache-Control": "no-store"}
LOCATION = "Location"


@dataclass(frozen=True, slots=True)
class Asset:
    content_type: str
    body: str


@dataclass(frozen=True, slots=True)
class Site:
    """The page as served, its Content-Security-Policy, and its assets by their hashed names."""

    page: str
    content_security_policy: str
    assets: Mapping[str, Asset]


def page(path: str, query: Mapping[str, list[str]], method: str) -> Response[str]:
    """The page; /voip-calls/ is sent to /voip-calls, where the page's relative URLs resolve."""
    request_log.page_view()
    if path.endswith("/"):
        # Relative, so that it keeps whatever prefix the browser used; the filters come along.
        location = "../voip-calls" + (f"?{urlencode(query, doseq=True)}" if query else "")
        return Response(status_code=308, body="", headers={**REDIRECT_HEADERS, LOCATION: location})
    current = site(STATIC_DIR)
    headers = {**PAGE_HEADERS, CONTENT_SECURITY_POLICY: current.content_security_policy}
    body = current.page if method != "HEAD" else ""
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=body, headers=headers)


def asset(name: str, method: str) -> Response[str]:
    """An asset by its hashed name; an unknown name (another deployment's hash too) is 404."""
    request_log.page_view()
    found = site(STATIC_DIR).assets.get(name)
    if found is None:
        return responses.json_response(404, responses.NOT_FOUND_BODY)
    body = found.body if method != "HEAD" else ""
    return Response(status_code=200, content_type=found.content_type, body=body, headers=ASSET_HEADERS)


@functools.cache
def site(directory: Path) -> Site:
    """Read once per container: every asset named by its content, the page filled in, its policy."""
    assets: dict[str, Asset] = {}
    hashed_names: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        content_type = CONTENT_TYPES.get(path.suffix)
        if content_type is None:
            continue
        body = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(body.encode()).hexdigest()[:HASH_LENGTH]
        hashed = f"{path.stem}.{digest}{path.suffix}"
        assets[hashed] = Asset(content_type, body)
        hashed_names[path.name] = hashed
    import_map = json.dumps(
        {
            "imports": {
                f"./{ASSETS_URL}{plain}": f"./{ASSETS_URL}{hashed}"
                for plain, hashed in hashed_names.items()
                if plain.endswith(".js")
            }
        },
        sort_keys=True,
    )
    urls = {plain: ASSETS_URL + hashed for plain, hashed in hashed_names.items()}
    values = urls | {IMPORT_MAP_PLACEHOLDER: import_map}
    template = (directory / TEMPLATE).read_text(encoding="utf-8")
    filled = _PLACEHOLDER.sub(lambda match: values[match[1]], template)
    return Site(filled, _content_security_policy(import_map), assets)


def _content_security_policy(import_map: str) -> str:
    """Scripts and styles from this origin only, the import map by its hash, requests to this origin
    only; Trusted Types make any HTML string written into the page an error, not markup."""
    import_map_hash = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    directives = (
        "default-src 'none'",
        f"script-src 'self' 'sha256-{import_map_hash}'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    )
    return "; ".join(directives)
