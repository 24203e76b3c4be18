"""``voip-rooms``: run the Lambda function locally, without Docker."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from voip_rooms.database import use_database
from voip_rooms_local.datasets import DatasetError, embedded_database, load_directory
from voip_rooms_local.demo import DEMO_USERS, demo_dataset
from voip_rooms_local.server import make_server


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voip-rooms", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API on a local HTTP port")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument(
        "--data", type=Path, help="directory of <collection>.json files (MongoDB Extended JSON)"
    )
    args = parser.parse_args(argv)
    try:
        return _serve(args.host, args.port, args.data)
    except DatasetError as error:
        print(f"voip-rooms: {error}", file=sys.stderr)
        return 2


def _serve(host: str, port: int, data: Path | None) -> int:
    database_label = _choose_database(data)
    try:
        server = make_server(host, port)
    except OSError as error:
        print(f"voip-rooms: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        return 2
    url = f"http://{host}:{server.server_port}/api/v1/voip/rooms"
    print(f"voip-rooms: serving {url} on {database_label} (Ctrl-C stops)", flush=True)
    if data is None and not os.environ.get("MONGODB_URI"):
        _print_demo_users(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nvoip-rooms: stopped", flush=True)
    finally:
        server.server_close()
    return 0


def _choose_database(data: Path | None) -> str:
    if os.environ.get("MONGODB_URI"):
        return "the MongoDB at MONGODB_URI"
    if data is None:
        use_database(embedded_database(demo_dataset()))
        return "the embedded demo database"
    use_database(embedded_database(load_directory(data)))
    return f"an embedded database loaded from {data}"


def _print_demo_users(url: str) -> None:
    print("\nDemo users (X-User-Id / X-Auth-Token):")
    for user in DEMO_USERS:
        print(f"  {', '.join(user.roles):<24} {user.user_id:<14} {user.token}")
    admin = DEMO_USERS[0]
    print("\nTry:")
    credentials = f"-H 'X-User-Id: {admin.user_id}' -H 'X-Auth-Token: {admin.token}'"
    print(f"  curl {credentials} '{url}?open=true&count=5'\n", flush=True)
