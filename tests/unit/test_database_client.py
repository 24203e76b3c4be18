"""How the MongoDB client is set up for Lambda, and which reads may go to secondaries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import bson
import pytest
from bson.datetime_ms import DatetimeMS
from pymongo.read_preferences import PrimaryPreferred, SecondaryPreferred

from voip_rooms import database
from voip_rooms.settings import SETTINGS, Settings
from voip_rooms.store import RocketChatStore


@pytest.fixture
def client_options() -> Iterator[Any]:
    database.use_database(None)
    settings = replace(SETTINGS, mongodb_uri="mongodb://db.example:27017/callcenter", mongodb_timeout_ms=4000)
    handle = database.get_database(settings)
    yield handle.client.options
    handle.client.close()
    database.use_database(None)


def test_client_is_small_bounded_and_named_for_lambda(client_options: Any) -> None:
    assert client_options.pool_options.max_pool_size == 2
    assert client_options.pool_options.max_idle_time_seconds == 60
    assert client_options.timeout == 4.0
    assert client_options.server_selection_timeout == 4.0
    assert client_options.pool_options.connect_timeout == 4.0
    assert client_options.retry_reads is True
    assert client_options.pool_options.metadata["application"] == {"name": "voip-rooms-lambda"}
    assert client_options.pool_options._compression_settings.compressors == ["zlib"]


class RecordingDatabase:
    def __init__(self) -> None:
        self.read_preferences: dict[str, Any] = {}

    def get_collection(self, name: str, read_preference: Any = None) -> object:
        self.read_preferences[name] = read_preference
        return object()


def test_authentication_reads_the_primary_and_the_listing_may_read_secondaries() -> None:
    recorded = RecordingDatabase()
    RocketChatStore(recorded, "secondaryPreferred")  # type: ignore[arg-type]
    assert recorded.read_preferences["users"] == PrimaryPreferred()
    assert recorded.read_preferences["rocketchat_room"] == SecondaryPreferred()
    assert recorded.read_preferences["rocketchat_permissions"] == SecondaryPreferred()


def test_a_misspelt_read_preference_stops_the_function_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_READ_PREFERENCE", "secondaryPrefered")
    with pytest.raises(ValueError, match="MONGODB_READ_PREFERENCE must be one of"):
        Settings.from_env()


@pytest.mark.parametrize("seconds_left", [0.05, 0.5, 1.0, 2.9, 3.0, 5.0, 9.5])
def test_a_secret_read_with_its_retries_takes_all_the_time_left_and_no_more(seconds_left: float) -> None:
    config: Any = database.secret_read_config(seconds_left)  # botocore's stubs omit its fields
    attempts = config.retries["total_max_attempts"]
    # Each try may spend its connect and its read timeout; a retry first waits up to a second.
    # A slow AWS endpoint that answers within the time left is waited for, not cut off early.
    worst_case = attempts * (config.connect_timeout + config.read_timeout) + (attempts - 1) * 1.0
    assert worst_case == pytest.approx(seconds_left)
    assert attempts == (2 if seconds_left >= 3 else 1), "a retry only when it fits"


def test_a_date_beyond_pythons_range_decodes_instead_of_failing_the_request() -> None:
    database.use_database(None)
    handle = database.get_database(replace(SETTINGS, mongodb_uri="mongodb://db.example:27017/x"))
    stored = bson.encode({"closedAt": DatetimeMS(2**62), "ts": datetime(2026, 7, 1, 12, 0)})
    decoded = bson.decode(stored, codec_options=handle.codec_options)
    handle.client.close()
    database.use_database(None)
    assert type(decoded) is dict
    assert decoded == {"closedAt": DatetimeMS(2**62), "ts": datetime(2026, 7, 1, 12, 0)}
