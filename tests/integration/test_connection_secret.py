"""The connection string may come from AWS Secrets Manager (moto stands in for AWS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import boto3
import pytest
from moto import mock_aws

from voip_rooms import database
from voip_rooms.settings import SETTINGS, Settings


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")
    database.use_database(None)


def _settings_for(arn: str) -> Settings:
    return replace(SETTINGS, mongodb_uri="", mongodb_secret_arn=arn, mongodb_database="rocketchat")


def test_plain_uri_secret_is_used_with_the_database_named_in_it(secrets: object) -> None:
    arn = secrets.create_secret(Name="plain", SecretString="mongodb://db.example:27017/callcenter")["ARN"]  # type: ignore[attr-defined]
    database.use_database(None)
    handle = database.get_database(_settings_for(arn))
    assert handle.name == "callcenter"
    assert handle.client.options.pool_options.max_pool_size == SETTINGS.mongodb_max_pool_size


def test_json_secret_with_a_uri_key_is_used_and_the_default_name_applies(secrets: object) -> None:
    secret = json.dumps({"uri": "mongodb://db.example:27017/", "note": "rotated monthly"})
    arn = secrets.create_secret(Name="json", SecretString=secret)["ARN"]  # type: ignore[attr-defined]
    database.use_database(None)
    assert database.get_database(_settings_for(arn)).name == "rocketchat"


def test_database_handle_is_created_once_per_container(secrets: object) -> None:
    arn = secrets.create_secret(Name="once", SecretString="mongodb://db.example:27017/x")["ARN"]  # type: ignore[attr-defined]
    database.use_database(None)
    first = database.get_database(_settings_for(arn))
    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)  # type: ignore[attr-defined]
    assert database.get_database(_settings_for(arn)) is first
