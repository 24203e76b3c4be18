"""The layer ships exactly the pinned runtime dependencies the project is tested with."""

from __future__ import annotations

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
