"""AWS in the integration tests: moto in place of Secrets Manager and SSM, with a fresh container state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from voip_rooms import database

REGION = "us-east-1"


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS settings as Lambda gives them; no secret read or boto3 session carried over from another test."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(database, "_secret", None)
    monkeypatch.setattr(database, "_session", None)
    yield
    database.use_database(None)


@pytest.fixture
def aws(aws_environment: None) -> Iterator[None]:
    """moto in place of AWS."""
    with mock_aws():
        yield


@pytest.fixture
def secrets(aws: None) -> Any:
    return boto3.client("secretsmanager", region_name=REGION)


@pytest.fixture
def ssm(aws: None) -> Any:
    return boto3.client("ssm", region_name=REGION)
