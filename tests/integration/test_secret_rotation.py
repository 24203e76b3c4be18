"""The connection secret over a container's life: read again after its max age, and read under the
request's one deadline, whatever AWS does (moto, and loopback endpoints that stall or refuse)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.factories import ApiClient
from tests.fake_mongod import UNAUTHORIZED, fake_mongod
from tests.timing import GENEROUS_MS, Clock
from voip_rooms import database, listing
from voip_rooms.errors import ConnectionSecretUnavailable, DatabaseCredentialsRejected
from voip_rooms.settings import SETTINGS, Settings
from voip_rooms.store import RocketChatStore

DEMO_ADMIN = {"X-User-Id": "demo-admin", "X-Auth-Token": "demo-admin-token"}
UNAVAILABLE = {"success": False, "error": "Service temporarily unavailable"}
URI = "mongodb://127.0.0.1:{}/rocketchat?directConnection=true"
MAX_AGE = 300
Logs = Callable[[], list[dict[str, Any]]]


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The container's clock for secret ages and request deadlines, moved forward by hand: in every
    test here, so that no deadline is spent by a busy machine before the behaviour under test."""
    fake = Clock()
    monkeypatch.setattr(database, "clock", fake)
    return fake


def _use_secret(
    monkeypatch: pytest.MonkeyPatch,
    *,
    arn: str = "",
    parameter: str = "",
    timeout_ms: int = GENEROUS_MS,
    max_age: int = MAX_AGE,
) -> Settings:
    """The handler reading its connection string from this secret (or parameter), as a new container."""
    settings = replace(
        SETTINGS,
        mongodb_uri="",
        mongodb_secret_arn=arn,
        mongodb_uri_parameter=parameter,
        mongodb_secret_max_age_seconds=max_age,
        mongodb_timeout_ms=timeout_ms,
    )
    monkeypatch.setattr(listing, "SETTINGS", settings)
    monkeypatch.setattr(listing, "_store_instance", None)
    monkeypatch.setattr(database, "_secret", None)
    database.use_database(None)
    return settings


def _connected_to(mongo: Any, secrets: Any, monkeypatch: pytest.MonkeyPatch, *, max_age: int) -> Settings:
    """A new container reading a 2 s budget's secret, whatever string it holds connecting to ``mongo``."""
    arn = secrets.create_secret(Name="any-string", SecretString="mongodb://db.example:27017/x")["ARN"]
    monkeypatch.setattr(database, "_connect", lambda settings, uri: mongo)
    return _use_secret(monkeypatch, arn=arn, timeout_ms=2000, max_age=max_age)


def _eventually(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    stop = time.monotonic() + seconds
    while not condition() and time.monotonic() < stop:
        time.sleep(0.02)
    return condition()


def test_after_its_max_age_the_secret_is_read_again_and_a_changed_uri_gets_a_new_client(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Any, clock: Clock, logs: Logs
) -> None:
    api = ApiClient(demo_database)
    with fake_mongod(0, demo_database) as old, fake_mongod(0, demo_database) as new:
        arn = secrets.create_secret(Name="rotated", SecretString=URI.format(old.port))["ARN"]
        settings = _use_secret(monkeypatch, arn=arn)
        assert api.get({"open": "true"}, user=None, headers=DEMO_ADMIN).status == 200
        secrets.put_secret_value(SecretId=arn, SecretString=URI.format(new.port))
        clock.now += MAX_AGE - 1
        assert api.get({"open": "true"}, user=None, headers=DEMO_ADMIN).status == 200
        assert (bool(old.reads), new.reads) == (True, []), "within its max age the secret is not read"

        clock.now += 1
        old.refusal = UNAUTHORIZED  # the old user is dropped: its pooled connections are refused
        reads_before = len(old.reads)
        answer = api.get({"open": "true"}, user=None, headers=DEMO_ADMIN)
        assert (answer.status, answer.body["total"]) == (200, 24)
        assert len(old.reads) == reads_before, logs()
        assert new.reads
        assert _eventually(lambda: old.open_connections == 0), "the old client was closed"
        database.get_database(settings).client.close()
    assert [
        line["message"] for line in logs() if line["level"] != "INFO" or "connection" in line["message"]
    ] == ["connection string changed: connecting with the secret read again"], (
        "no refusal, no retry: the new server was used from the start"
    )


def test_every_secret_read_of_a_request_gets_only_what_the_request_has_left(
    secrets: Any,
    monkeypatch: pytest.MonkeyPatch,
    demo_database: Any,
    clock: Clock,
    secret_read_budgets: list[float],
) -> None:
    # MongoDB refuses the credentials 1.5 s into a 2 s request. Max age 0: every connection reads
    # the secret, so the request reads it three times (at start, after the refusal, for the retry).
    _connected_to(demo_database, secrets, monkeypatch, max_age=0)
    authenticate = RocketChatStore.find_user_by_token
    refusals = [1.5]

    def refused_after_a_while(store: RocketChatStore, user_id: str, hashed_token: str) -> Any:
        if refusals:
            clock.now += refusals.pop()
            raise DatabaseCredentialsRejected("AuthenticationFailed")
        return authenticate(store, user_id, hashed_token)

    monkeypatch.setattr(RocketChatStore, "find_user_by_token", refused_after_a_while)
    answer = ApiClient(demo_database).get({"open": "true"}, user=None, headers=DEMO_ADMIN)
    assert answer.status == 200
    assert secret_read_budgets == pytest.approx([2.0, 0.5, 0.5], abs=1e-9)


def test_an_unchanged_secret_read_after_its_max_age_keeps_the_client(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    arn = secrets.create_secret(Name="unchanged", SecretString="mongodb://db.example:27017/same")["ARN"]
    settings = _use_secret(monkeypatch, arn=arn)
    first = database.get_database(settings)
    clock.now += MAX_AGE
    assert database.get_database(settings) is first
    first.client.close()


def test_a_secret_read_again_during_a_request_counts_its_time_from_the_requests_start(
    secrets: Any,
    monkeypatch: pytest.MonkeyPatch,
    demo_database: Any,
    clock: Clock,
    secret_read_budgets: list[float],
) -> None:
    # Time passes between any two readings of this clock, so each step of the request costs some.
    settings = _connected_to(demo_database, secrets, monkeypatch, max_age=MAX_AGE)
    database.get_database(settings)  # the container's first read, before any request
    clock.now += MAX_AGE
    readings: list[float] = []

    def ticking() -> float:
        clock.now += 0.1
        readings.append(clock.now)
        return clock.now

    read_config, read_at = database.secret_read_config, []

    def noting_when(seconds_left: float) -> Any:
        read_at.append(clock.now)
        return read_config(seconds_left)

    monkeypatch.setattr(database, "clock", ticking)
    monkeypatch.setattr(database, "secret_read_config", noting_when)
    budgets_before = len(secret_read_budgets)
    assert ApiClient(demo_database).get({"open": "true"}, user=None, headers=DEMO_ADMIN).status == 200
    [budget] = secret_read_budgets[budgets_before:]
    # Durations, not clock readings: from the request's first reading to the read's end is its budget.
    waited = read_at[0] - readings[0]
    assert waited > 0, "the request's steps before the read cost time"
    assert waited + budget == pytest.approx(2.0, abs=1e-9), "the read ends at the request's deadline"


def test_after_a_rotation_the_next_unchanged_read_keeps_the_new_client(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    arn = secrets.create_secret(Name="rotated-once", SecretString="mongodb://db.example:27017/first")["ARN"]
    settings = _use_secret(monkeypatch, arn=arn)
    first = database.get_database(settings)
    secrets.put_secret_value(SecretId=arn, SecretString="mongodb://db.example:27017/second")
    clock.now += MAX_AGE
    rotated = database.get_database(settings)
    assert rotated.name == "second"
    clock.now += MAX_AGE
    assert database.get_database(settings) is rotated, "the same string: no new client, no new pool"
    first.client.close()
    rotated.client.close()


def test_a_secret_unreadable_after_its_max_age_leaves_the_working_client_in_use(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Any, clock: Clock, logs: Logs
) -> None:
    api = ApiClient(demo_database)
    with fake_mongod(0, demo_database) as mongod:
        arn = secrets.create_secret(Name="deleted", SecretString=URI.format(mongod.port))["ARN"]
        settings = _use_secret(monkeypatch, arn=arn)
        assert api.get(user=None, headers=DEMO_ADMIN).status == 200
        secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
        clock.now += MAX_AGE
        statuses = [api.get(user=None, headers=DEMO_ADMIN).status for _ in range(3)]
        database.get_database(settings).client.close()
    assert statuses == [200, 200, 200]
    [error] = _secret_errors(logs)
    assert (error["message"], error["aws_error_code"]) == (
        "connection secret unavailable: keeping the current connection",
        "ResourceNotFoundException",
    ), "read once after the max age, not again on every request"


def test_a_secret_past_its_max_age_is_not_read_when_the_request_has_no_time_left(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, clock: Clock, logs: Logs
) -> None:
    arn = secrets.create_secret(Name="late", SecretString="mongodb://db.example:27017/first")["ARN"]
    settings = _use_secret(monkeypatch, arn=arn)
    first = database.get_database(settings)
    secrets.put_secret_value(SecretId=arn, SecretString="mongodb://db.example:27017/second")
    clock.now += MAX_AGE
    assert database.get_database(settings, deadline=clock.now) is first
    first.client.close()
    [error] = _secret_errors(logs)
    assert (error["message"], error["aws_error_code"]) == (
        "connection secret unavailable: keeping the current connection",
        "no time left to read the secret",
    )


def test_reading_the_secret_again_after_a_refusal_keeps_to_the_requests_deadline(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    arn = secrets.create_secret(Name="refused", SecretString="mongodb://db.example:27017/first")["ARN"]
    settings = _use_secret(monkeypatch, arn=arn)
    database.get_database(settings).client.close()
    with pytest.raises(ConnectionSecretUnavailable, match=r"^no time left to read the secret$"):
        database.reconnect_with_fresh_secret(settings, deadline=clock.now)


def test_the_client_built_after_a_refusal_is_kept_while_the_secret_stays_the_same(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, clock: Clock, logs: Logs
) -> None:
    arn = secrets.create_secret(Name="same", SecretString="mongodb://db.example:27017/same")["ARN"]
    settings = _use_secret(monkeypatch, arn=arn)
    database.get_database(settings)
    rebuilt = database.reconnect_with_fresh_secret(settings)
    clock.now += MAX_AGE
    assert database.get_database(settings) is rebuilt
    assert rebuilt is not None
    rebuilt.client.close()
    assert not [line for line in logs() if line["message"].startswith("connection string changed")]


def test_an_ssm_parameter_is_read_again_after_its_max_age(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, clock: Clock, logs: Logs
) -> None:
    ssm.put_parameter(Name="/rocketchat/uri", Value="mongodb://db.example:27017/before", Type="SecureString")
    settings = _use_secret(monkeypatch, parameter="/rocketchat/uri")
    before = database.get_database(settings)
    ssm.put_parameter(
        Name="/rocketchat/uri", Value="mongodb://db.example:27017/after", Type="SecureString", Overwrite=True
    )
    assert database.get_database(settings) is before
    clock.now += MAX_AGE
    assert database.get_database(settings).name == "after", _secret_errors(logs)
    database.get_database(settings).client.close()


def _aws_error_endpoint(code: str) -> Callable[[], Iterator[str]]:
    """An endpoint on loopback answering every request with this AWS error, as AWS's JSON APIs do."""

    class Refusing(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps({"__type": code, "message": "refused by the test endpoint"}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-ErrorType", code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    def serve() -> Iterator[str]:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)

    return serve


def _secret_errors(logs: Logs) -> list[dict[str, Any]]:
    return [line for line in logs() if line["level"] == "ERROR"]


@pytest.mark.parametrize(
    "store",
    [
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", {"arn": "rocketchat/mongodb"}),
        ("AWS_ENDPOINT_URL_SSM", {"parameter": "/rocketchat/mongodb-uri"}),
    ],
    ids=["secrets manager", "ssm"],
)
@pytest.mark.usefixtures("aws_environment")
def test_a_secrets_store_that_never_answers_is_a_503_within_the_requests_deadline(
    monkeypatch: pytest.MonkeyPatch,
    stalling_server: int,
    logs: Logs,
    store: tuple[str, dict[str, Any]],
    secret_read_budgets: list[float],
) -> None:
    endpoint_variable, source = store
    monkeypatch.setenv(endpoint_variable, f"http://127.0.0.1:{stalling_server}")
    _use_secret(monkeypatch, timeout_ms=1000, **source)
    started = time.monotonic()
    answer = ApiClient(None).get(user=None, headers=DEMO_ADMIN)
    elapsed = time.monotonic() - started
    assert (answer.status, answer.body) == (503, UNAVAILABLE)
    assert secret_read_budgets == [1.0], "the read was given the request's budget, not boto3's defaults"
    # Generous, since a busy machine may be slow: boto3's own timeouts would wait 60 s per try.
    assert elapsed < 30, "the read gave up within its budget"
    [error] = _secret_errors(logs)
    assert (error["message"], error["aws_error_code"]) == (
        "connection secret unavailable",
        "ReadTimeoutError",
    )


def test_every_read_of_a_secret_shares_one_boto3_session(
    secrets: Any, ssm: Any, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    """Its loaded service models make each later client cheap: one session per container."""
    import boto3  # noqa: PLC0415 - the tests' own AWS stand-in has it loaded already

    created: list[Any] = []
    original = boto3.session.Session

    def counted(*args: Any, **kwargs: Any) -> Any:
        created.append(original(*args, **kwargs))
        return created[-1]

    monkeypatch.setattr(boto3.session, "Session", counted)
    monkeypatch.setattr(database, "_session", None)
    arn = secrets.create_secret(Name="shared", SecretString="mongodb://db.example:27017/one")["ARN"]
    ssm.put_parameter(Name="/rocketchat/shared", Value="mongodb://db.example:27017/two", Type="SecureString")
    for source in ({"arn": arn}, {"parameter": "/rocketchat/shared"}):
        settings = _use_secret(monkeypatch, **source)
        database.get_database(settings)
        clock.now += MAX_AGE
        database.get_database(settings).client.close()
    assert len(created) == 1


def test_an_unreachable_secrets_endpoint_is_a_503_and_the_next_request_tries_again(
    aws_environment: None, monkeypatch: pytest.MonkeyPatch, logs: Logs, refusing_port: int
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", f"http://127.0.0.1:{refusing_port}")
    _use_secret(monkeypatch, timeout_ms=1000, arn="rocketchat/mongodb")
    api = ApiClient(None)
    assert [api.get(user=None, headers=DEMO_ADMIN).status for _ in range(2)] == [503, 503]
    assert [line["aws_error_code"] for line in _secret_errors(logs)] == ["EndpointConnectionError"] * 2


@pytest.mark.parametrize("code", ["AccessDeniedException", "DecryptionFailure", "KMSAccessDeniedException"])
def test_aws_refusing_the_secret_is_a_503_with_one_error_line_naming_its_code(
    aws_environment: None, monkeypatch: pytest.MonkeyPatch, logs: Logs, code: str
) -> None:
    endpoint = _aws_error_endpoint(code)()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", next(endpoint))
    _use_secret(monkeypatch, arn="rocketchat/mongodb")
    answer = ApiClient(None).get(user=None, headers=DEMO_ADMIN)
    next(endpoint, None)
    assert (answer.status, answer.body) == (503, UNAVAILABLE)
    [error] = _secret_errors(logs)
    assert (error["message"], error["status"], error["aws_error_code"]) == (
        "connection secret unavailable",
        503,
        code,
    )
    assert "exception" not in error, "no trace: the code says what to fix"


def test_a_missing_secret_or_parameter_is_a_503_naming_the_aws_error(
    aws: None, monkeypatch: pytest.MonkeyPatch, logs: Logs
) -> None:
    api = ApiClient(None)
    _use_secret(monkeypatch, arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:gone")
    assert api.get(user=None, headers=DEMO_ADMIN).status == 503
    _use_secret(monkeypatch, parameter="/rocketchat/gone")
    monkeypatch.setattr(database, "_secret", None)
    assert api.get(user=None, headers=DEMO_ADMIN).status == 503
    codes = [line["aws_error_code"] for line in _secret_errors(logs)]
    assert codes == ["ResourceNotFoundException", "ParameterNotFound"]
    # Each also writes its request line, with the same code as its error type.
    request_lines = [line for line in logs() if line["message"] == "request"]
    assert [(line["status"], line["cause"]) for line in request_lines] == [
        (503, "ResourceNotFoundException"),
        (503, "ParameterNotFound"),
    ]
