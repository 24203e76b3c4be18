"""``voip-rooms``: run the Lambda function locally, without Docker.

serve    serve the API over HTTP, each request as an API Gateway REST event
invoke   run one event through the handler and print its result (like `sam local invoke -e`)
event    print a ready event for a front door, or an integration event, to save and edit
indexes  create the indexes the endpoint needs
doctor   check, read-only, that a database will serve the endpoint
export   write every matching room, one JSON line each (a file, .gz, -, or s3://bucket/key)
openapi  print the OpenAPI document
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo.errors import PyMongoError

from voip_rooms import handler, integration
from voip_rooms.database import get_database, use_database
from voip_rooms.errors import DatabaseUnavailable
from voip_rooms.settings import SETTINGS
from voip_rooms_local.datasets import DatasetError, embedded_database, load_directory
from voip_rooms_local.demo import DEMO_DATABASE, DEMO_USERS, demo_dataset
from voip_rooms_local.doctor import diagnose
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext
from voip_rooms_local.indexes import describe, ensure_indexes
from voip_rooms_local.server import make_server

DOCTOR_ROOM_LIMIT = 100_000


class UsageError(Exception):
    """A bad argument or input file; the message is one line for the terminal."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (DatasetError, UsageError) as error:
        print(f"voip-rooms: {error}", file=sys.stderr)
        return 2
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voip-rooms", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    data_help = (
        "a mongoexport directory (<collection>.json), a mongodump database folder (<collection>.bson or "
        ".bson.gz) or a dump's root with one database folder; default: the demo dataset (not with "
        "MONGODB_URI, which names a database already)"
    )

    serve = commands.add_parser("serve", help="serve the API on a local HTTP port")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--data", type=Path, help=data_help)
    serve.set_defaults(run=_serve)

    invoke = commands.add_parser(
        "invoke",
        help="run one event through lambda_handler and print the result, or Lambda's error object (exit 1)",
    )
    invoke.add_argument(
        "event_file",
        help="a JSON event file, or - for standard input; integration events act as INTEGRATION_USER_ID",
    )
    invoke.add_argument("--data", type=Path, help=data_help)
    invoke.set_defaults(run=_invoke)

    event = commands.add_parser("event", help="print a ready event for a front door, or an integration event")
    event.add_argument(
        "--integration", action="store_true", help="an integration event (no credentials: see --parameters)"
    )
    event.add_argument(
        "--parameters", help='with --integration: its parameters, e.g. \'{"open": false, "count": 100}\''
    )
    event.add_argument(
        "--front-door",
        choices=sorted(EVENT_BUILDERS),
        help="rest (the default): API Gateway REST; http: HTTP API; url: function URL; alb, alb-multi: "
        "ALB target group without and with multi-value headers",
    )
    event.add_argument("--user", help="X-User-Id")
    event.add_argument("--token", help="X-Auth-Token")
    # No defaults here: an option given with --integration is refused, even with its usual value.
    event.add_argument("--method", help="GET (the default)")
    event.add_argument("--path", help=f"{handler.ROOMS_PATH} (the default)")
    event.add_argument("--query", default="", help="query string, e.g. 'open=true&count=5'")
    event.add_argument("--body", help="request body, e.g. '{\"open\": true}'")
    event.set_defaults(run=_event)

    indexes = commands.add_parser("indexes", help="create the indexes the endpoint needs on rocketchat_room")
    indexes.add_argument("--dry-run", action="store_true", help="only say what would be created")
    indexes.add_argument("--data", type=Path, help=data_help)
    indexes.set_defaults(run=_indexes)

    doctor = commands.add_parser(
        "doctor",
        help="check, read-only, that a database serves the endpoint (exit 0 works, 1 broken, 2 error)",
    )
    doctor.add_argument("--data", type=Path, help=data_help)
    doctor.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    doctor.add_argument(
        "--rooms", type=int, default=DOCTOR_ROOM_LIMIT, help="VoIP rooms to check against the answer schema"
    )
    doctor.set_defaults(run=_doctor)

    export = commands.add_parser(
        "export",
        help="write every matching room as the API serves it, one JSON line each, oldest first",
        description="Write every room matching --filter, in ts order then _id, one JSON line each, as "
        "GET /api/v1/voip/rooms serves it; stopped, it prints the command that continues it.",
    )
    export.add_argument(
        "out",
        metavar="OUT",
        help="a file (gzip when it ends in .gz; never overwritten: --after appends to it), - for standard "
        "output, or s3://bucket/key (encrypted; never overwritten)",
    )
    export.add_argument("--data", type=Path, help=data_help)
    export.add_argument(
        "--filter",
        default="",
        metavar="QUERY",
        help="the API's filters as a query string: 'open=false&queue=sales'",
    )
    export.add_argument(
        "--after", metavar="CURSOR", help="continue after this room (what a stopped export printed)"
    )
    export.add_argument(
        "--kms-key-id", metavar="KEY", help="s3:// only: SSE-KMS with this key (default SSE-S3)"
    )
    export.set_defaults(run=_export)

    openapi = commands.add_parser("openapi", help="print the endpoint's OpenAPI 3.1 document")
    openapi.set_defaults(run=_openapi)
    return parser


def _serve(args: argparse.Namespace) -> int:
    database_label = _choose_database(args.data)
    try:
        server = make_server(args.host, args.port)
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror}") from None
    url = f"http://{args.host}:{server.server_port}{handler.ROOMS_PATH}"
    print(f"voip-rooms: serving {url} on {database_label} (Ctrl-C stops)", flush=True)
    if SETTINGS.enable_calls_page:
        page = f"http://{args.host}:{server.server_port}{handler.CALLS_PAGE_PATH}"
        print(f"voip-rooms: the Calls page is {page} (sign in as a demo user below)", flush=True)
    if SETTINGS.cors_allowed_origins:
        print(f"voip-rooms: browsers may call it from {', '.join(SETTINGS.cors_allowed_origins)}", flush=True)
    if args.data is None and not SETTINGS.mongodb_uri:
        _print_demo_users(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nvoip-rooms: stopped", flush=True)
    finally:
        server.server_close()
    return 0


def _invoke(args: argparse.Namespace) -> int:
    event = _read_event(args.event_file)
    _choose_database(args.data)
    # Standard output carries only the result, as `sam local invoke` does; logs go to standard error.
    log_handler: Any = handler.logger.registered_handler
    previous_stream = log_handler.setStream(sys.stderr)
    try:
        result = handler.lambda_handler(event, LocalLambdaContext())
    except Exception as error:  # any exception is a function error, as Lambda reports it
        # What Lambda's Invoke returns for a function error (without the stack trace it adds).
        print(json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}, indent=2))
        return 1
    finally:
        log_handler.setStream(previous_stream)
    if isinstance(result, bytes):  # an integration event's answer, as Lambda returns it: JSON
        result = json.loads(result)
    print(json.dumps(result, indent=2, default=str))
    return 0


def _event(args: argparse.Namespace) -> int:
    if args.integration:
        print(json.dumps(_integration_event(args), indent=2))
        return 0
    if args.parameters is not None:
        raise UsageError("--parameters goes with --integration; a front door's event takes --query or --body")
    headers = {"Content-Type": "application/json"} if args.body is not None else {}
    if args.user is not None:
        headers["X-User-Id"] = args.user
    if args.token is not None:
        headers["X-Auth-Token"] = args.token
    try:
        event = EVENT_BUILDERS[args.front_door or "rest"](
            "GET" if args.method is None else args.method,
            handler.ROOMS_PATH if args.path is None else args.path,
            headers=headers,
            query_string=args.query,
            body=args.body,
        )
    except ValueError as error:
        raise UsageError(f"--query is not a valid query string: {error}") from None
    print(json.dumps(event, indent=2))
    return 0


def _integration_event(args: argparse.Namespace) -> dict[str, Any]:
    front_door_options = {
        "--front-door": args.front_door is not None,
        "--user": args.user is not None,
        "--token": args.token is not None,
        "--method": args.method is not None,
        "--path": args.path is not None,
        "--query": bool(args.query),
        "--body": args.body is not None,
    }
    given = [option for option, used in front_door_options.items() if used]
    if given:
        raise UsageError(f"--integration takes only --parameters, not {', '.join(given)}")
    try:
        parameters = json.loads(args.parameters or "{}")
    except ValueError as error:
        raise UsageError(f"--parameters is not JSON: {error}") from None
    if not isinstance(parameters, dict):
        raise UsageError("--parameters must be a JSON object")
    return {"operation": integration.OPERATION, "parameters": parameters}


def _indexes(args: argparse.Namespace) -> int:
    database_label = _choose_database(args.data)
    # An embedded database lives as long as this command: creating indexes there would report work
    # that nothing keeps. It shows what the command would do on a MongoDB holding those indexes.
    embedded = not SETTINGS.mongodb_uri
    dry_run = args.dry_run or embedded
    print(f"voip-rooms: indexes on rocketchat_room in {database_label}{' (dry run)' if dry_run else ''}")
    if embedded and not args.dry_run:
        print(
            "voip-rooms: an embedded database is not kept, so nothing is created (set MONGODB_URI for that)"
        )
    try:
        actions = ensure_indexes(get_database(SETTINGS)["rocketchat_room"], dry_run=dry_run)
    except PyMongoError as error:
        raise UsageError(f"the database refused: {type(error).__name__}: {str(error)[:200]}") from None
    for line in describe(actions):
        print(f"  {line}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    if args.rooms < 1:
        raise UsageError("--rooms must be at least 1")
    database_label = _choose_database(args.data)
    try:
        diagnosis = diagnose(
            get_database(SETTINGS),
            database_label,
            login_expiration=timedelta(days=SETTINGS.login_expiration_days),
            now=datetime.now(UTC),
            room_limit=args.rooms,
        )
    except (PyMongoError, DatabaseUnavailable) as error:
        raise UsageError(f"cannot read the database: {type(error).__name__}: {str(error)[:200]}") from None
    if args.json:
        print(json.dumps(diagnosis.as_json(), indent=2))
    else:
        print("\n".join(diagnosis.lines()))
    return diagnosis.exit_status


def _export(args: argparse.Namespace) -> int:
    # Imported when asked: boto3 and the outputs serve this command only.
    from voip_rooms_local.export import run_export  # noqa: PLC0415
    from voip_rooms_local.export_outputs import OutputError  # noqa: PLC0415
    from voip_rooms_local.export_walk import ExportError  # noqa: PLC0415

    try:
        return run_export(args, _choose_database)
    except (ExportError, OutputError) as error:
        raise UsageError(str(error)) from None
    except (PyMongoError, DatabaseUnavailable) as error:
        raise UsageError(f"cannot read the database: {type(error).__name__}: {str(error)[:200]}") from None


def _openapi(_: argparse.Namespace) -> int:
    from voip_rooms_local.openapi import openapi_json  # noqa: PLC0415 - builds pydantic schemas: only when asked

    sys.stdout.write(openapi_json())
    return 0


def _read_event(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read event {source}: {error}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise UsageError(f"event {source} is not JSON: {error}") from None


def _choose_database(data: Path | None) -> str:
    if SETTINGS.mongodb_uri and data is not None:
        raise UsageError("--data and MONGODB_URI both name a database: unset MONGODB_URI to use --data")
    if SETTINGS.mongodb_uri:
        return "the MongoDB at MONGODB_URI"
    if data is None:
        demo = embedded_database(demo_dataset())
        # Tuned as a deployment should be, so that doctor and indexes tell the truth about it.
        ensure_indexes(demo["rocketchat_room"], dry_run=False)
        use_database(demo)
        return DEMO_DATABASE
    loaded = load_directory(data)
    # Standard error: standard output is the answer (invoke) or the serving line (serve).
    for note in loaded.notes:
        print(f"voip-rooms: {note}", file=sys.stderr, flush=True)
    use_database(loaded.database)
    return f"an embedded database loaded from {data}"


def _print_demo_users(url: str) -> None:
    print("\nDemo users (X-User-Id / X-Auth-Token):")
    for user in DEMO_USERS:
        print(f"  {', '.join(user.roles):<24} {user.user_id:<14} {user.token}")
    admin = DEMO_USERS[0]
    print("\nTry:")
    credentials = f"-H 'X-User-Id: {admin.user_id}' -H 'X-Auth-Token: {admin.token}'"
    print(f"  curl {credentials} '{url}?open=true&count=5'\n", flush=True)
