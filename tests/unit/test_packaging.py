"""The layer ships exactly the pinned runtime dependencies the project is tested with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pymongo
import pymongo.common

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> set[str]:
    lines = (ROOT / "layers/dependencies/requirements.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_layer_pins_match_the_projects_dependencies() -> None:
    dependencies = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    assert _requirements() <= dependencies


# MongoDB 8.0 speaks wire version 25; PyMongo supports all of 8.0 from 4.9 (its compatibility table).
MONGODB_8_WIRE_VERSION = 25


def test_the_pinned_pymongo_supports_mongodb_8_0() -> None:
    pinned = next(line for line in _requirements() if line.startswith("pymongo=="))
    version = tuple(int(part) for part in pinned.removeprefix("pymongo==").split(".")[:2])
    assert version >= (4, 9)
    assert pymongo.version_tuple[:2] == version, "the tests run the pinned driver"
    assert (
        pymongo.common.MIN_SUPPORTED_WIRE_VERSION
        <= MONGODB_8_WIRE_VERSION
        <= pymongo.common.MAX_SUPPORTED_WIRE_VERSION
    )


def test_layer_does_not_ship_what_the_lambda_runtime_or_the_local_runner_provide() -> None:
    names = {requirement.split("==")[0] for requirement in _requirements()}
    assert not names & {"boto3", "botocore", "mongomock", "pytest", "moto"}


def test_the_function_imports_nothing_the_layer_does_not_ship() -> None:
    # pydantic and boto3 would each add tens of milliseconds to every cold start (docs/PERFORMANCE.md).
    code = "import sys, voip_rooms.handler; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "MONGODB_URI": "mongodb://127.0.0.1:27017"},
        ).stdout.split()
    )
    shipped = {
        line.split("==")[0].replace("aws-lambda-powertools", "aws_lambda_powertools")
        for line in _requirements()
    }
    assert {"aws_lambda_powertools", "pymongo", "orjson", "voip_rooms"} <= loaded
    # (Powertools itself imports botocore's package __init__, under a millisecond; boto3 never.)
    assert not loaded & {"pydantic", "pydantic_core", "boto3", "mongomock", "voip_rooms_local"}
    # The X-Ray SDK (and the botocore session it brings) only when database commands are traced.
    assert not loaded & {"aws_xray_sdk", "wrapt"}
    assert shipped <= loaded | {"pymongo"}


# A fresh interpreter running the built function (its package first on the path), as Lambda would;
# get(path, query) is a GET through the function URL.
_BUILT_FUNCTION = """
import json, re, sys
sys.path.insert(0, sys.argv[1])
from voip_rooms.handler import lambda_handler

class Context:
    function_name, function_version, memory_limit_in_mb = "voip-rooms", "$LATEST", 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:voip-rooms"
    aws_request_id = "test"

def get(path, query=""):
    http = {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"}
    event = {"version": "2.0", "rawPath": path, "rawQueryString": query, "headers": {},
             "queryStringParameters": dict([query.split("=")]) if query else None, "isBase64Encoded": False,
             "requestContext": {"domainName": "a1b2.lambda-url.us-east-1.on.aws", "http": http,
                                "requestId": "test", "stage": "$default"}}
    return lambda_handler(event, Context())
"""
_DOCS_VISIT = (
    _BUILT_FUNCTION
    + """
from voip_rooms.handler import DOCS_PATH

page, document = get(DOCS_PATH), get(DOCS_PATH, "format=json")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"pydantic", "pydantic_core"} or "swagger" in m
                or m == "voip_rooms.api_docs")
print(json.dumps({"file": sys.modules["voip_rooms"].__file__, "statuses": [page["statusCode"],
                  document["statusCode"]], "document": document["body"], "loaded": loaded}))
"""
)


def _build_function(target: Path) -> None:
    """Build the function into target as sam build does."""
    subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "-C",
            str(ROOT / "functions/voip_rooms"),
            "build-RoomsFunction",
            f"ARTIFACTS_DIR={target}",
            f"PYTHON={sys.executable}",
        ],
        check=True,
    )


def _visit_build(tmp_path: Path, script: str, settings: dict[str, str]) -> dict[str, object]:
    """Build the function as sam build does, then run script against that build in a fresh interpreter."""
    _build_function(tmp_path)
    finished = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MONGODB_URI": "mongodb://127.0.0.1:27017", **settings},
    )
    visit: dict[str, object] = json.loads(finished.stdout.splitlines()[-1])
    assert str(visit["file"]).startswith(str(tmp_path))
    return visit


def _visit_docs(tmp_path: Path, setting: str) -> dict[str, object]:
    """GET the docs page and document from the built function."""
    return _visit_build(tmp_path, _DOCS_VISIT, {"ENABLE_SWAGGER_UI": setting})


def test_the_built_function_serves_the_committed_document_without_loading_pydantic(tmp_path: Path) -> None:
    visit = _visit_docs(tmp_path, "true")

    assert visit["statuses"] == [200, 200]
    assert json.loads(str(visit["document"])) == json.loads((ROOT / "openapi.json").read_text())
    # pydantic is not in the layer: the page must come without it (nor Powertools' swagger_ui package).
    assert visit["loaded"] == ["voip_rooms.api_docs"]


def test_with_the_swagger_ui_off_nothing_of_it_is_loaded_and_the_page_is_not_found(tmp_path: Path) -> None:
    visit = _visit_docs(tmp_path, "false")

    assert visit["statuses"] == [404, 404]
    assert visit["loaded"] == []


# The Calls page from the built function: a cold start's request, then the page and one of its assets.
_CALLS_PAGE_VISIT = (
    _BUILT_FUNCTION
    + """
from voip_rooms.handler import CALLS_PAGE_PATH, ROOMS_PATH

rooms = get(ROOMS_PATH)
loaded_at_cold_start = "voip_rooms.calls_page" in sys.modules
page = get(CALLS_PAGE_PATH)
stylesheet = re.search(r'href="(voip-calls/assets/calls\\.[0-9a-f]+\\.css)"', page["body"] or "")
asset = get("/" + stylesheet.group(1)) if stylesheet else page
print(json.dumps({"file": sys.modules["voip_rooms"].__file__,
                  "statuses": [rooms["statusCode"], page["statusCode"], asset["statusCode"]],
                  "loaded_at_cold_start": loaded_at_cold_start,
                  "loaded": "voip_rooms.calls_page" in sys.modules}))
"""
)


def _visit_calls_page(tmp_path: Path, setting: str) -> dict[str, object]:
    return _visit_build(tmp_path, _CALLS_PAGE_VISIT, {"ENABLE_CALLS_PAGE": setting})


def test_the_built_function_serves_the_calls_page_loading_it_on_the_first_visit_only(tmp_path: Path) -> None:
    visit = _visit_calls_page(tmp_path, "true")

    # The page and its assets travel in the build; its module is no part of a cold start.
    assert visit["statuses"] == [401, 200, 200]
    assert visit["loaded_at_cold_start"] is False
    assert visit["loaded"] is True


def test_with_the_calls_page_off_nothing_of_it_is_loaded_and_it_is_not_found(tmp_path: Path) -> None:
    visit = _visit_calls_page(tmp_path, "false")

    assert visit["statuses"] == [401, 404, 404]
    assert visit["loaded"] is False
