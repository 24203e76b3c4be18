"""The Swagger UI of the endpoint, which the function serves only when ENABLE_SWAGGER_UI is true.

The handler imports this module on the first visit to the page, never otherwise. The OpenAPI document
is the repository's openapi.json, copied beside this module by the function's build
(functions/voip_rooms/Makefile): the function neither imports pydantic nor builds the schema. The page
is Powertools' own Swagger UI page, with the script and stylesheet that ship inside the Powertools
package, inlined (no network).
"""

from __future__ import annotations

import functools
import json
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

import aws_lambda_powertools.event_handler
from aws_lambda_powertools.event_handler.api_gateway import Response

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
SWAGGER_UI_DIR = Path(aws_lambda_powertools.event_handler.__file__).parent / "openapi" / "swagger_ui"
HTML = "text/html; charset=utf-8"
JSON = "application/json"


def answer(as_json: bool, base_path: str) -> Response[str]:
    """The page, or with format=json the document, its server the stage's base path (as Powertools does)."""
    if as_json:
        return Response(status_code=200, content_type=JSON, body=_document(DOCUMENT_PATH, base_path))
    return Response(status_code=200, content_type=HTML, body=_page(DOCUMENT_PATH, base_path))


@functools.cache
def _page(path: Path, base_path: str) -> str:
    """Built once per stage: 1.7 MB of text, most of it the script."""
    # As Powertools does: "</" escaped, so the document cannot close the page's <script>.
    page: str = _page_generator().generate_swagger_html(
        _document(path, base_path).replace("</", "<\\/"),
        _asset("swagger-ui-bundle.min.js"),
        _asset("swagger-ui.min.css"),
        swagger_base_url="",
        oauth2_config=None,
    )
    return page


@functools.cache
def _document(path: Path, base_path: str) -> str:
    document = json.loads(path.read_text(encoding="utf-8"))
    # "Try it out" calls the API under the stage's prefix (/prod) when the page was reached through it.
    document["servers"] = [{"url": base_path or "/"}]
    return json.dumps(document, indent=2, sort_keys=True)


def _asset(name: str) -> str:
    return (SWAGGER_UI_DIR / name).read_bytes().decode()  # UTF-8


@functools.cache
def _page_generator() -> ModuleType:
    """Powertools' html.py, loaded from its file alone: its package's __init__ imports the OAuth2
    settings model, which needs pydantic, and the page generator itself needs nothing."""
    loader = SourceFileLoader("voip_rooms._swagger_html", str(SWAGGER_UI_DIR / "html.py"))
    module = ModuleType(loader.name)
    loader.exec_module(module)
    return module
