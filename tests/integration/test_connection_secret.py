"""The connection string may come from AWS Secrets Manager (moto stands in for AWS)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pymongo.errors import InvalidOperation

from tests.factories import Answer, ApiClient
from tests.fake_mongod import AUTHENTICATION_FAILED, CREDENTIAL_REFUSALS, fake_mongod
from tests.timing import GENEROUS_MS
from voip_rooms import database, listing
from voip_rooms.errors import DatabaseNotConfigured
from voip_rooms.settings import SETTINGS, Settings

DEMO_ADMIN = {"X-User-Id": "demo-admin", "X-Auth-Token": "demo-admin-token"}


def _settings_for(arn: str) -> Settings:
    return replace(SETTINGS, mongodb_uri="", mongodb_secret_arn=arn, mongodb_database="rocketchat")


def test_plain_uri_secret_is_used_with_the_database_named_in_it(secrets: Any) -> None:
    arn = secrets.create_secret(Name="plain", SecretString="mongodb://db.example:27017/callcenter")["ARN"]
    database.use_database(None)
    handle = database.get_database(_settings_for(arn))
    assert handle.name == "callcenter"
    assert handle.client.options.pool_options.max_pool_size == SETTINGS.mongodb_max_pool_size


def test_json_secret_with_a_uri_key_is_used_and_the_default_name_applies(secrets: Any) -> None:
    secret = json.dumps({"uri": "mongodb://db.example:27017/", "note": "rotated monthly"})
    arn = secrets.create_secret(Name="json", SecretString=secret)["ARN"]
    database.use_database(None)
    assert database.get_database(_settings_for(arn)).name == "rocketchat"


def test_database_handle_is_created_once_per_container(secrets: Any) -> None:
    arn = secrets.create_secret(Name="once", SecretString="mongodb://db.example:27017/x")["ARN"]
    database.use_database(None)
    first = database.get_database(_settings_for(arn))
    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    assert database.get_database(_settings_for(arn)) is first


def test_an_ssm_securestring_parameter_can_hold_the_connection_string(ssm: Any) -> None:
    ssm.put_parameter(
        Name="/rocketchat/mongodb-uri",
        Value="mongodb://db.example:27017/fromssm",
        Type="SecureString",
    )
    database.use_database(None)
    settings = replace(
        SETTINGS, mongodb_uri="", mongodb_secret_arn="", mongodb_uri_parameter="/rocketchat/mongodb-uri"
    )
    assert database.get_database(settings).name == "fromssm"


def test_a_plain_uri_wins_over_a_secret(secrets: Any) -> None:
    arn = secrets.create_secret(Name="unused", SecretString="mongodb://db.example:27017/fromsecret")["ARN"]
    database.use_database(None)
    settings = replace(_settings_for(arn), mongodb_uri="mongodb://db.example:27017/fromuri")
    assert database.get_database(settings).name == "fromuri"


def test_the_secret_is_cached_and_read_again_only_when_asked(secrets: Any) -> None:
    arn = secrets.create_secret(Name="cached", SecretString="mongodb://db.example:27017/first")["ARN"]
    settings = _settings_for(arn)
    database.use_database(None)
    assert database.get_database(settings).name == "first"
    secrets.put_secret_value(SecretId=arn, SecretString="mongodb://db.example:27017/second")
    database.use_database(None)
    assert database.get_database(settings).name == "first", "within MONGODB_SECRET_MAX_AGE_SECONDS"
    refreshed = database.reconnect_with_fresh_secret(settings)
    assert refreshed is not None
    assert refreshed.name == "second"


def test_without_a_secret_there_is_nothing_to_read_again() -> None:
    settings = replace(SETTINGS, mongodb_uri="mongodb://db.example:27017/x")
    assert database.reconnect_with_fresh_secret(settings) is None


@pytest.mark.parametrize("refusal", CREDENTIAL_REFUSALS.values(), ids=CREDENTIAL_REFUSALS.keys())
def test_a_rotated_secret_is_read_again_once_when_mongodb_refuses_the_credentials(
    secrets: Any,
    monkeypatch: pytest.MonkeyPatch,
    demo_database: Any,
    logs: Callable[[], list[dict[str, Any]]],
    refusal: dict[str, Any],
) -> None:
    uri = "mongodb://127.0.0.1:{}/rocketchat?directConnection=true"
    api = ApiClient(demo_database)
    with fake_mongod(0, demo_database) as old, fake_mongod(0, demo_database) as new:
        arn = secrets.create_secret(Name="rotating", SecretString=uri.format(old.port))["ARN"]
        settings = replace(_settings_for(arn), mongodb_timeout_ms=GENEROUS_MS)
        monkeypatch.setattr(listing, "SETTINGS", settings)
        monkeypatch.setattr(listing, "_store_instance", None)
        database.use_database(None)
        assert api.get({"open": "true"}, user=None, headers=DEMO_ADMIN).status == 200  # reads the secret: old
        secrets.put_secret_value(SecretId=arn, SecretString=uri.format(new.port))
        old.refusal = refusal  # the rotation retired the old password
        answer = api.get({"open": "true"}, user=None, headers=DEMO_ADMIN)
        assert (answer.status, answer.body["total"]) == (200, 24)
        old.refusal = None
        assert database.get_database(settings).client.address == ("127.0.0.1", new.port)
        database.get_database(settings).client.close()
    assert [line["message"] for line in logs() if line["level"] == "WARNING"] == [
        "database credentials rejected: connecting with the secret read again"
    ]


def _answer_while_every_read_is_refused(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Any, refusal: dict[str, Any]
) -> tuple[Answer, list[str]]:
    """One request of a container whose secret names a server answering every read with ``refusal``;
    the answer, and the collections the server was asked to read."""
    with fake_mongod(0, demo_database) as mongod:
        arn = secrets.create_secret(
            Name="refused", SecretString=f"mongodb://127.0.0.1:{mongod.port}/rocketchat?directConnection=true"
        )["ARN"]
        settings = replace(_settings_for(arn), mongodb_timeout_ms=GENEROUS_MS)
        monkeypatch.setattr(listing, "SETTINGS", settings)
        monkeypatch.setattr(listing, "_store_instance", None)
        database.use_database(None)
        mongod.refusal = refusal
        answer = ApiClient(demo_database).get(user=None, headers=DEMO_ADMIN)
        database.get_database(settings).client.close()
    return answer, mongod.reads


@pytest.mark.parametrize("refusal", CREDENTIAL_REFUSALS.values(), ids=CREDENTIAL_REFUSALS.keys())
def test_credentials_refused_again_after_reading_the_secret_answer_503(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Any, refusal: dict[str, Any]
) -> None:
    answer, reads = _answer_while_every_read_is_refused(secrets, monkeypatch, demo_database, refusal)
    assert (answer.status, answer.body) == (
        503,
        {"success": False, "error": "Service temporarily unavailable"},
    )
    assert reads == ["users", "users"], "one read, the secret read again, one more read: no loop"


def test_another_atlas_fault_is_no_credential_refusal_and_the_secret_is_not_read_again(
    secrets: Any,
    monkeypatch: pytest.MonkeyPatch,
    demo_database: Any,
    logs: Callable[[], list[dict[str, Any]]],
) -> None:
    quota = {"code": 8000, "codeName": "AtlasError", "errmsg": "you are over your space quota"}
    answer, reads = _answer_while_every_read_is_refused(secrets, monkeypatch, demo_database, quota)
    assert answer.status == 500
    assert reads == ["users"]
    assert not [line for line in logs() if line["level"] == "WARNING"]


def test_a_rotations_second_attempt_stays_within_the_requests_one_deadline(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Any, secret_read_budgets: list[float]
) -> None:
    # 10 s for the whole request, of which the refusal takes 1 s: the second attempt, the secret's read
    # and every command the new server gets, is given at most the 9 s left, however busy the machine.
    budget_s, refusal_s = 10.0, 1.0
    uri = "mongodb://127.0.0.1:{}/rocketchat?directConnection=true"
    with fake_mongod(0, demo_database) as old, fake_mongod(0, demo_database) as new:
        arn = secrets.create_secret(Name="slow-rotation", SecretString=uri.format(old.port))["ARN"]
        settings = replace(_settings_for(arn), mongodb_timeout_ms=int(budget_s * 1000))
        monkeypatch.setattr(listing, "SETTINGS", settings)
        monkeypatch.setattr(listing, "_store_instance", None)
        database.use_database(None)
        old.refusal, old.read_delay = AUTHENTICATION_FAILED, refusal_s
        database.get_database(settings)  # the container read the secret before its rotation
        secrets.put_secret_value(SecretId=arn, SecretString=uri.format(new.port))
        answer = ApiClient(demo_database).get(user=None, headers=DEMO_ADMIN)
        database.get_database(settings).client.close()
    assert answer.status == 200
    assert old.reads == ["users"]
    left_ms = (budget_s - refusal_s) * 1000
    assert new.read_budgets_ms, "the second attempt was made"
    assert all(0 < budget <= left_ms for budget in new.read_budgets_ms if budget is not None), (
        new.read_budgets_ms
    )
    assert None not in new.read_budgets_ms, "every command of the second attempt carried the deadline"
    assert 0 < secret_read_budgets[-1] <= budget_s - refusal_s, "the secret's read too"


def test_a_read_outside_any_request_may_take_the_configured_timeout(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, secret_read_budgets: list[float]
) -> None:
    # The container's connection at start and the local runner's commands have no request deadline.
    arn = secrets.create_secret(Name="at-start", SecretString="mongodb://db.example:27017/started")["ARN"]
    settings = replace(_settings_for(arn), mongodb_timeout_ms=4000)
    monkeypatch.setattr(database, "clock", lambda: 100.0)
    database.use_database(None)
    assert database.get_database(settings).name == "started"
    assert secret_read_budgets == [4.0]


def test_a_secret_is_reused_no_longer_than_its_configured_max_age(secrets: Any) -> None:
    arn = secrets.create_secret(Name="no-reuse", SecretString="mongodb://db.example:27017/first")["ARN"]
    settings = replace(_settings_for(arn), mongodb_secret_max_age_seconds=0)
    database.use_database(None)
    assert database.get_database(settings).name == "first"
    secrets.put_secret_value(SecretId=arn, SecretString="mongodb://db.example:27017/second")
    database.use_database(None)
    assert database.get_database(settings).name == "second", "max age 0: read on every connection"


def _rotated_ssm_parameter(ssm: Any, name: str, **overrides: Any) -> Settings:
    """Settings reading a parameter once as "first", then rotated to "second"; the handle forgotten."""
    ssm.put_parameter(Name=name, Value="mongodb://db.example:27017/first", Type="SecureString")
    settings = replace(
        SETTINGS, mongodb_uri="", mongodb_secret_arn="", mongodb_uri_parameter=name, **overrides
    )
    database.use_database(None)
    assert database.get_database(settings).name == "first"
    ssm.put_parameter(
        Name=name, Value="mongodb://db.example:27017/second", Type="SecureString", Overwrite=True
    )
    database.use_database(None)
    return settings


def test_an_ssm_parameter_is_read_again_after_a_rotation(ssm: Any) -> None:
    settings = _rotated_ssm_parameter(ssm, "/rocketchat/rotating-uri")
    assert database.get_database(settings).name == "first", "within MONGODB_SECRET_MAX_AGE_SECONDS"
    refreshed = database.reconnect_with_fresh_secret(settings)
    assert refreshed is not None
    assert refreshed.name == "second"


def test_an_ssm_parameter_value_is_trimmed(ssm: Any) -> None:
    ssm.put_parameter(
        Name="/rocketchat/padded", Value=" mongodb://db.example:27017/padded\n", Type="SecureString"
    )
    settings = replace(
        SETTINGS, mongodb_uri="", mongodb_secret_arn="", mongodb_uri_parameter="/rocketchat/padded"
    )
    database.use_database(None)
    assert database.get_database(settings).name == "padded"


@pytest.mark.parametrize(
    "stored",
    [
        {"SecretBinary": b"mongodb://db.example:27017/stored"},
        {"SecretString": " mongodb://db.example:27017/stored \n"},
        {"SecretString": ' \n{"uri": "mongodb://db.example:27017/stored"}'},
    ],
    ids=["binary", "padded-text", "json-after-whitespace"],
)
def test_a_secret_is_read_as_binary_text_or_json(secrets: Any, stored: dict[str, Any]) -> None:
    arn = secrets.create_secret(Name="forms", **stored)["ARN"]
    database.use_database(None)
    assert database.get_database(_settings_for(arn)).name == "stored"


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ('{"uri": ""}', "names a JSON secret without a 'uri' string"),
        ('{"uri": 27017}', "names a JSON secret without a 'uri' string"),
        ('{"url": "mongodb://db.example"}', "names a JSON secret without a 'uri' string"),
        ('{"uri": "mongodb://db.example"', "names a secret that starts like JSON but is not"),
    ],
)
def test_a_json_secret_without_a_usable_uri_is_refused_plainly(
    secrets: Any, secret: str, reason: str
) -> None:
    arn = secrets.create_secret(Name="no-uri", SecretString=secret)["ARN"]
    database.use_database(None)
    with pytest.raises(DatabaseNotConfigured) as refused:
        database.get_database(_settings_for(arn))
    assert (refused.value.setting, refused.value.reason) == ("MONGODB_SECRET_ARN", reason)


def test_no_connection_configured_says_which_settings_provide_one() -> None:
    settings = replace(SETTINGS, mongodb_uri="", mongodb_secret_arn="", mongodb_uri_parameter="")
    database.use_database(None)
    with pytest.raises(DatabaseNotConfigured) as refused:
        database.get_database(settings)
    assert str(refused.value) == (
        "MONGODB_URI, MONGODB_SECRET_ARN or MONGODB_URI_PARAMETER must give one: none is set"
    )


def test_reconnecting_with_a_fresh_secret_closes_the_old_client(secrets: Any) -> None:
    arn = secrets.create_secret(Name="closing", SecretString="mongodb://db.example:27017/first")["ARN"]
    settings = replace(_settings_for(arn), mongodb_timeout_ms=GENEROUS_MS)
    database.use_database(None)
    old = database.get_database(settings)
    fresh = database.reconnect_with_fresh_secret(settings)
    assert fresh is not None
    assert database.get_database(settings) is fresh
    with pytest.raises(InvalidOperation, match="after close"):
        old.rooms.find_one()
    fresh.client.close()


def test_an_ssm_parameter_is_reused_no_longer_than_the_configured_max_age(ssm: Any) -> None:
    settings = _rotated_ssm_parameter(ssm, "/rocketchat/unreused-uri", mongodb_secret_max_age_seconds=0)
    assert database.get_database(settings).name == "second", "max age 0: read on every connection"
