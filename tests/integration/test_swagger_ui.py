"""The function's own Swagger UI (ENABLE_SWAGGER_UI): public, from the committed openapi.json; off by
default."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from voip_rooms import api_docs, handler
from voip_rooms.handler import DOCS_PATH, lambda_handler
from voip_rooms.settings import SETTINGS
from voip_rooms_local.events import EVENT_BUILDERS, STAGE, LocalLambdaContext

ROOT = Path(__file__).resolve().parents[2]
DOORS = sorted(EVENT_BUILDERS)
# The doors whose events carry no stage in the path: their document is openapi.json as committed.
UNSTAGED_DOORS = ["alb", "alb-multi", "http", "url"]


@pytest.fixture
def swagger_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The function with ENABLE_SWAGGER_UI=true, reading the document the build would copy beside it."""
    monkeypatch.setattr(handler, "SETTINGS", replace(SETTINGS, enable_swagger_ui=True))
    monkeypatch.setattr(handler, "_resolvers", {})
    monkeypatch.setattr(api_docs, "DOCUMENT_PATH", ROOT / "openapi.json")


@pytest.fixture
def swagger_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "SETTINGS", replace(SETTINGS, enable_swagger_ui=False))
    monkeypatch.setattr(handler, "_resolvers", {})


def _get(door: str, query: str = "") -> dict[str, Any]:
    """GET the docs path through one front door, without credentials."""
    result: dict[str, Any] = lambda_handler(
        EVENT_BUILDERS[door]("GET", DOCS_PATH, query_string=query), LocalLambdaContext()
    )
    return result


def _content_type(result: dict[str, Any]) -> str:
    headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(name.lower(), str(values[0]))
    return headers["content-type"]


def _committed_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text())
    return document


@pytest.mark.usefixtures("swagger_on")
@pytest.mark.parametrize("door", DOORS)
def test_the_docs_page_is_swagger_ui_with_its_assets_inline_and_needs_no_credentials(door: str) -> None:
    result = _get(door)

    assert result["statusCode"] == 200
    assert _content_type(result).startswith("text/html")
    page = result["body"]
    assert page.startswith("<!DOCTYPE html>")
    # The document's own URL, relative to the page (so behind a stage prefix too), and the document inline.
    assert 'ui.specActions.updateUrl(currentUrl.pathname + "?format=json")' in page
    assert '"operationId": "getVoipRooms"' in page
    # Powertools' bundled script and stylesheet, inlined: the page loads nothing from the network.
    assert "SwaggerUIBundle" in page
    assert "<style>" in page
    assert "<script src=" not in page
    assert "<link rel='stylesheet'" not in page


@pytest.mark.usefixtures("swagger_on")
@pytest.mark.parametrize("door", UNSTAGED_DOORS)
def test_the_json_format_is_the_committed_openapi_document(door: str) -> None:
    result = _get(door, "format=json")

    assert result["statusCode"] == 200
    assert _content_type(result).startswith("application/json")
    assert json.loads(result["body"]) == _committed_document()


@pytest.mark.usefixtures("swagger_on")
@pytest.mark.parametrize("door", ["rest", "alb-multi"])
def test_with_format_given_twice_the_last_value_decides(door: str) -> None:
    assert _content_type(_get(door, "format=html&format=json")).startswith("application/json")
    assert _content_type(_get(door, "format=json&format=html")).startswith("text/html")


@pytest.mark.usefixtures("swagger_on")
def test_behind_a_rest_api_stage_try_it_out_calls_the_api_under_the_stage_prefix() -> None:
    result = _get("rest", "format=json")

    document = json.loads(result["body"])
    assert document["servers"] == [{"url": f"/{STAGE}"}]
    assert document | {"servers": None} == _committed_document() | {"servers": None}
    page = _get("rest")["body"]
    assert f'"url": "/{STAGE}"' in page


@pytest.mark.usefixtures("swagger_on")
def test_the_document_cannot_close_the_pages_script(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hostile = _committed_document() | {
        "info": {"title": "</script><script>alert(1)</script>", "version": "1"}
    }
    (tmp_path / "openapi.json").write_text(json.dumps(hostile))
    monkeypatch.setattr(api_docs, "DOCUMENT_PATH", tmp_path / "openapi.json")

    page = _get("url")["body"]

    assert "</script><script>alert(1)" not in page
    assert "<\\/script><script>alert(1)<\\/script>" in page


@pytest.mark.usefixtures("swagger_on")
def test_the_docs_page_writes_its_request_line(logs: Any) -> None:
    _get("rest")

    lines = [line for line in logs() if line.get("message") == "request"]
    assert [line["status"] for line in lines] == [200]


@pytest.mark.usefixtures("swagger_off")
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("query", ["", "format=json"])
def test_without_the_setting_the_docs_path_is_not_found(door: str, query: str) -> None:
    result = _get(door, query)

    assert result["statusCode"] == 404
    assert json.loads(result["body"]) == {"success": False, "error": "Not found"}
