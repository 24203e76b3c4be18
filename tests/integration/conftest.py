"""Shared by the integration tests: moto in place of Secrets Manager and SSM with a fresh container
state, and a loopback server that accepts connections and never answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.factories import ApiClient
from tests.spies import record_arguments
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


@pytest.fixture
def demo_api(demo_db: Any) -> ApiClient:
    """A client of the handler on the demo dataset (log in as DEMO_ADMIN)."""
    return ApiClient(demo_db)


@pytest.fixture
def secret_read_budgets(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each read of the connection secret was allowed, in order."""
    return record_arguments(monkeypatch, database, "secret_read_config")


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port on loopback where nothing listens, held for the test so no other process takes it:
    connections to it are refused. A server of the test's own may still start on it later (the
    database coming back): the holder only binds, with SO_REUSEADDR, and never listens."""
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind(("127.0.0.1", 0))
    yield int(holder.getsockname()[1])
    holder.close()


@pytest.fixture
def stalling_server() -> Iterator[int]:
    """A port on loopback that accepts connections and never answers a byte (for 30 s at most)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        give_up = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < give_up:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    listener.close()
