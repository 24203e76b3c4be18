"""The layer ships exactly the pinned runtime dependencies the project is tested with."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> set[str]:
    lines = (ROOT / "layers/dependencies/requirements.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_layer_pins_match_the_projects_dependencies() -> None:
    dependencies = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    assert _requirements() <= dependencies


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
