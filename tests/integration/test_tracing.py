"""X-Ray: each database command a subsegment when TRACE_DATABASE_COMMANDS is on; the SDK untouched otherwise.

Each case runs in a fresh interpreter, as a new Lambda container would: the setting is read, and the
driver's command listener registered, once per process, before the client is made.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.timing import GENEROUS_MS

ROOT = Path(__file__).resolve().parents[2]
CONTAINER = """
import json
from aws_xray_sdk.core import xray_recorder

class Captured:
    entities = []
    def send_entity(self, entity):
        self.entities.append(entity.to_dict())
    def set_daemon_address(self, address):
        pass

emitter = Captured()
xray_recorder.configure(emitter=emitter, sampling=False, context_missing="LOG_ERROR")
from tests.fake_mongod import fake_mongod

with fake_mongod(0, None) as mongod:
    # Set before any of the function's modules is imported: they read their settings once, at import.
    import os
    os.environ["MONGODB_URI"] = f"mongodb://127.0.0.1:{mongod.port}/rocketchat?directConnection=true"
    from voip_rooms_local.datasets import embedded_database
    from voip_rooms_local.demo import demo_dataset
    from voip_rooms_local.events import LocalLambdaContext, rest_event

    mongod.database = embedded_database(demo_dataset())
    from voip_rooms.handler import lambda_handler
    xray_recorder.begin_segment("voip-rooms")
    headers = {"X-User-Id": "demo-admin", "X-Auth-Token": "demo-admin-token"}
    event = rest_event("GET", "/api/v1/voip/rooms", headers=headers, query_string="open=true&count=5")
    status = lambda_handler(event, LocalLambdaContext())["statusCode"]
    xray_recorder.end_segment()
print(json.dumps({"status": status, "entities": emitter.entities}, default=str))
"""


def _container(**settings: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "TRACE_"))}
    finished = subprocess.run(
        [sys.executable, "-c", CONTAINER],
        cwd=ROOT,
        env={
            **env,
            "PYTHONPATH": str(ROOT),
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            # The loopback server answers at once; a busy machine must not spend the request's budget.
            "MONGODB_TIMEOUT_MS": str(GENEROUS_MS),
            **settings,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def test_with_the_setting_on_each_database_command_is_a_subsegment_without_its_documents() -> None:
    result = _container(TRACE_DATABASE_COMMANDS="true")
    assert result["status"] == 200
    (segment,) = result["entities"]
    commands = [sub["annotations"]["mongodb_command_name"] for sub in segment.get("subsegments", [])]
    # authentication, the permission map, the page, and the count it could not tell
    assert commands == ["find", "find", "find", "aggregate"]
    assert {sub["name"] for sub in segment["subsegments"]} == {segment["subsegments"][0]["name"]}
    assert segment["subsegments"][0]["name"].startswith("rocketchat@127.0.0.1:")
    written = json.dumps(result)
    assert "demo-admin-token" not in written
    assert "hashedToken" not in written


def test_with_the_setting_off_no_command_is_traced() -> None:
    result = _container()
    assert result["status"] == 200
    (segment,) = result["entities"]
    assert "subsegments" not in segment
