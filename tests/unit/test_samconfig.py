"""samconfig.toml's environments: each override names a real template parameter with a value it accepts."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text())
PARAMETERS: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())["Parameters"]
ENVIRONMENTS = sorted(name for name in CONFIG if name != "version")


def _overrides(environment: str) -> dict[str, str]:
    raw = CONFIG[environment]["deploy"]["parameters"]["parameter_overrides"]
    items = raw if isinstance(raw, list) else shlex.split(raw)
    pairs = [item.split("=", 1) for item in items]
    assert all(len(pair) == 2 for pair in pairs), items
    return dict(pairs)


def test_there_is_a_development_and_a_production_environment() -> None:
    assert {"default", "prod"} <= set(ENVIRONMENTS)
    stacks = {CONFIG[env]["global"]["parameters"]["stack_name"] for env in ENVIRONMENTS}
    assert len(stacks) == len(ENVIRONMENTS), "each environment is its own stack"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_override_names_a_template_parameter_with_a_value_it_accepts(environment: str) -> None:
    for name, value in _overrides(environment).items():
        assert name in PARAMETERS, f"{environment}: {name} is not a parameter of template.yaml"
        spec = PARAMETERS[name]
        if "AllowedValues" in spec:
            assert value in [str(v) for v in spec["AllowedValues"]], f"{environment}: {name}={value}"
        if spec["Type"] == "Number":
            number = float(value)
            assert spec.get("MinValue", number) <= number <= spec.get("MaxValue", number), f"{name}={value}"


def test_production_rolls_out_a_canary_with_capped_concurrency_in_private_subnets() -> None:
    prod, dev = _overrides("prod"), _overrides("default")
    assert prod["DeploymentType"].startswith("Canary")
    assert dev["DeploymentType"] == "AllAtOnce"
    assert int(prod["ReservedConcurrency"]) > 0
    assert prod["SubnetIds"]
    assert prod["SecurityGroupIds"]
    assert prod["AlarmTopicArn"]
    assert int(prod["LogRetentionDays"]) > int(dev["LogRetentionDays"])


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_environment_caps_concurrency_and_so_the_load_on_the_database(environment: str) -> None:
    assert int(_overrides(environment)["ReservedConcurrency"]) > 0
