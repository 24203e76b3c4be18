"""Lambda entry point: HTTP concerns only (routing, credential headers, status codes, error answers).

One function serves API Gateway REST (payload v1) and HTTP API (payload v2) events, Lambda
function URL events and Application Load Balancer events, each through its own Powertools
resolver, built on first use from the same routes and error answers (front_doors.py reads their
events). Every other event, which no front door sends, is an integration event (integration.py);
its failures are named after the error answers here.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import (
    ALBResolver,
    APIGatewayHttpResolver,
    ApiGatewayResolver,
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.lambda_function_url import LambdaFunctionUrlResolver
from aws_lambda_powertools.event_handler.util import extract_origin_header
from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.utilities.data_classes.alb_event import ALBEvent
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from voip_rooms import database, integration, listing, request_log, responses
from voip_rooms.auth import authenticate
from voip_rooms.errors import (
    AuthenticationFailed,
    ConnectionSecretUnavailable,
    DatabaseNotConfigured,
    DatabaseUnavailable,
    Forbidden,
    InvalidParams,
    PayloadTooLarge,
    RoomTooLarge,
)
from voip_rooms.front_doors import (
    event_problem,
    query_parameters,
    request_body,
    request_id,
    shape_of,
    single_value,
)
from voip_rooms.params import parse_rooms_params, within_body_limit
from voip_rooms.settings import SETTINGS

ROOMS_PATH = "/api/v1/voip/rooms"
# The public documentation's own example calls the doubled slash.
DOCUMENTED_ROOMS_PATH = "/api//v1/voip/rooms"
# An ALB takes at most 1 MB from a function: under it in either reading of "MB", headers included.
ALB_MAX_RESPONSE_BYTES = 960_000
# The Swagger UI (?format=json: the OpenAPI document), served only with ENABLE_SWAGGER_UI=true.
DOCS_PATH = f"{ROOMS_PATH}/docs"
# The Calls page (its assets below it), served unless ENABLE_CALLS_PAGE=false: voip_rooms/calls_page.py.
CALLS_PAGE_PATH = "/voip-calls"

logger = Logger(service="voip-rooms")
login_expiration = timedelta(days=SETTINGS.login_expiration_days)
if SETTINGS.trace_database_commands:
    # Only when asked for: the X-Ray SDK's import is a cold-start cost (docs/PERFORMANCE.md). Its
    # command listener must be registered before the client is made; it records no documents.
    from aws_xray_sdk.core import patch

    patch(("pymongo",))
if SETTINGS.mongodb_uri:
    # During Lambda's init phase (connect=False: no I/O); a secret is fetched on first use instead.
    # A connection string the driver refuses is answered, and logged, by each request instead (503).
    with contextlib.suppress(DatabaseNotConfigured):
        database.get_database(SETTINGS)


def answer_rooms(event: BaseProxyEvent) -> Response[str]:
    """GET /api/v1/voip/rooms, whichever front door the request came through."""
    # Powertools' pick per front door (multi-value where the event has it), case-insensitive.
    headers = event.resolved_headers_field
    user_id, token = single_value(headers.get("X-User-Id")), single_value(headers.get("X-Auth-Token"))
    if user_id:
        request_log.caller(user_id)
    if not user_id or not token:
        raise AuthenticationFailed
    limit = SETTINGS.max_response_bytes
    if isinstance(event, ALBEvent):
        limit = min(limit, ALB_MAX_RESPONSE_BYTES)
    text = listing.page_json(
        lambda store: authenticate(store, user_id, token, login_expiration=login_expiration),
        lambda: parse_rooms_params(query_parameters(event), within_body_limit(request_body(event))),
        limit,
    )
    return responses.json_text_response(200, text)


def _path_not_served(event: BaseProxyEvent) -> Response[str]:
    if event.path in (ROOMS_PATH, DOCUMENTED_ROOMS_PATH):
        request_log.refused("method-not-allowed")
        return responses.json_response(405, responses.METHOD_NOT_ALLOWED_BODY, {"Allow": "GET"})
    request_log.refused("not-found")
    return responses.json_response(404, responses.NOT_FOUND_BODY)


def _unauthenticated(_: AuthenticationFailed) -> Response[str]:
    request_log.refused("authentication")
    return responses.json_response(401, responses.UNAUTHORIZED_BODY)


def _invalid_params(error: InvalidParams) -> Response[str]:
    request_log.refused(error.error_type)
    return responses.json_response(400, responses.invalid_params_body(error.message, error.error_type))


def _room_too_large(error: RoomTooLarge) -> Response[str]:
    request_log.refused(error.error_type)
    body = responses.invalid_params_body(error.message, error.error_type) | {"next": error.next}
    return responses.json_response(400, body)


def _payload_too_large(_: PayloadTooLarge) -> Response[str]:
    request_log.refused("body-too-large")
    return responses.json_response(413, responses.payload_too_large_body(SETTINGS.max_body_bytes))


def _forbidden(_: Forbidden) -> Response[str]:
    request_log.refused("permission")
    return responses.json_response(403, responses.FORBIDDEN_BODY)


def _database_unavailable(error: DatabaseUnavailable) -> Response[str]:
    logger.error("database unavailable", extra={"status": 503, "cause": str(error)})
    request_log.failed(str(error))
    return responses.json_response(503, responses.UNAVAILABLE_BODY)


def _not_configured(error: DatabaseNotConfigured) -> Response[str]:
    # The setting to fix and why; never its value (a connection string holds a password).
    logger.error(
        "database not configured", extra={"status": 503, "setting": error.setting, "reason": error.reason}
    )
    request_log.failed("configuration")
    return responses.json_response(503, responses.UNAVAILABLE_BODY)


def _secret_unavailable(error: ConnectionSecretUnavailable) -> Response[str]:
    # The AWS error code says what to fix: the role's access, the KMS key, the secret's name.
    logger.error("connection secret unavailable", extra={"status": 503, "aws_error_code": str(error)})
    request_log.failed(str(error))
    return responses.json_response(503, responses.UNAVAILABLE_BODY)


def _unexpected(error: Exception) -> Response[str]:
    logger.exception("unexpected error", extra={"status": 500})
    request_log.failed(type(error).__name__)
    return responses.json_response(500, responses.INTERNAL_ERROR_BODY)


# One answer per domain error; Exception last, for anything unexpected.
ERROR_ANSWERS: dict[type[Exception], Callable[[Any], Response[str]]] = {
    AuthenticationFailed: _unauthenticated,
    RoomTooLarge: _room_too_large,
    InvalidParams: _invalid_params,
    PayloadTooLarge: _payload_too_large,
    Forbidden: _forbidden,
    DatabaseUnavailable: _database_unavailable,
    DatabaseNotConfigured: _not_configured,
    ConnectionSecretUnavailable: _secret_unavailable,
    Exception: _unexpected,
}


def _documentation(resolver: ApiGatewayResolver) -> Response[str]:
    """The Swagger UI: public metadata, no credentials; its "Try it out" calls send them."""
    # Imported on the first visit only: with the setting off, nothing of it is ever loaded.
    from voip_rooms import api_docs  # noqa: PLC0415

    # Every front door's query, multi-value ALB's too (where Powertools' own Swagger UI sees none).
    formats = resolver.current_event.resolved_query_string_parameters.get("format") or []
    # Powertools' own reading of the stage prefix (/prod) in the path, as its enable_swagger does.
    base_path = resolver._get_base_path()
    return api_docs.answer(formats[-1:] == ["json"], base_path)  # the last value, as Powertools reads it


# --- CORS (CORS_ALLOWED_ORIGINS), off when empty: one policy for every front door, by Powertools ---
CORS_ALLOWED_HEADERS = ["X-User-Id", "X-Auth-Token", "Content-Type"]
# Browsers cap it (Chrome at 2 hours); 10 minutes spares a preflight per request without pinning a policy.
CORS_MAX_AGE_SECONDS = 600


class _CorsPolicy(CORSConfig):
    """Powertools' CORS headers for exactly the allowed origins, and Vary: Origin beside them."""

    def to_dict(self, origin: str | None) -> dict[str, str]:
        headers = super().to_dict(origin)
        if headers:
            headers["Vary"] = "Origin"
        return headers


@functools.cache
def _cors_policy(origins: tuple[str, ...]) -> CORSConfig | None:
    if not origins:
        return None
    return _CorsPolicy(
        allow_origin=origins[0],
        extra_origins=list(origins[1:]),
        allow_headers=CORS_ALLOWED_HEADERS,
        max_age=CORS_MAX_AGE_SECONDS,
    )


def _cors() -> CORSConfig | None:
    return _cors_policy(SETTINGS.cors_allowed_origins)


def _preflight(event: BaseProxyEvent, cors: CORSConfig) -> Response[str]:
    """OPTIONS from an allowed origin to the endpoint; any other is answered as if CORS were off."""
    origin = extract_origin_header(event.resolved_headers_field)
    if event.path in (ROOMS_PATH, DOCUMENTED_ROOMS_PATH) and origin and cors.allowed_origin(origin):
        # Powertools adds the origin's headers to this answer, as to every answer of the route.
        return Response(status_code=204, headers={"Access-Control-Allow-Methods": "GET"})
    return _path_not_served(event)


# --- end of CORS ---


def _front_door(resolver: ApiGatewayResolver) -> ApiGatewayResolver:
    """Give one Powertools resolver the endpoint's routes and error answers."""

    @resolver.get(ROOMS_PATH)
    @resolver.get(DOCUMENTED_ROOMS_PATH)
    def get_rooms() -> Response[str]:
        return answer_rooms(resolver.current_event)

    if SETTINGS.enable_swagger_ui:

        @resolver.get(DOCS_PATH)
        def documentation() -> Response[str]:
            return _documentation(resolver)

    if SETTINGS.enable_calls_page:
        # The page's module is imported on its first visit, never at a cold start. A rule is a regular
        # expression: the page's path with or without the trailing slash (which the page redirects).
        # HEAD answers as GET does, without the body (link checkers and monitors ask it).
        @resolver.route(f"{CALLS_PAGE_PATH}/?", method=["GET", "HEAD"])
        def calls_page() -> Response[str]:
            from voip_rooms.calls_page import page  # noqa: PLC0415

            event = resolver.current_event
            return page(event.path, query_parameters(event), event.http_method)

        @resolver.route(f"{CALLS_PAGE_PATH}/assets/<name>", method=["GET", "HEAD"])
        def calls_page_asset(name: str) -> Response[str]:
            from voip_rooms.calls_page import asset  # noqa: PLC0415

            return asset(name, resolver.current_event.http_method)

    @resolver.not_found
    def not_found(_: NotFoundError) -> Response[str]:
        return _path_not_served(resolver.current_event)

    cors = _cors()
    if cors is not None:
        # Every OPTIONS, on any path: Powertools' own preflight answer would accept any origin and path.
        @resolver.route(".*", method="OPTIONS")
        def preflight() -> Response[str]:
            return _preflight(resolver.current_event, cors)

    for error, answer in ERROR_ANSWERS.items():
        resolver.exception_handler(error)(answer)
    return resolver


FRONT_DOORS: dict[str, Callable[[], ApiGatewayResolver]] = {
    "rest": lambda: _front_door(APIGatewayRestResolver(cors=_cors())),
    "http": lambda: _front_door(APIGatewayHttpResolver(cors=_cors())),
    "url": lambda: _front_door(LambdaFunctionUrlResolver(cors=_cors())),
    # ALB's query string is decoded by _form_decoded, not by Powertools (which leaves "+" a plus).
    "alb": lambda: _front_door(ALBResolver(cors=_cors())),
}
_resolvers: dict[str, ApiGatewayResolver] = {}


@logger.inject_lambda_context
def lambda_handler(event: Any, context: LambdaContext) -> Any:
    """A front door's result (a dict in its shape), or an integration event's answer (JSON bytes)."""
    door = shape_of(event)
    if door is None:
        # No front door sends an event without its requestContext: whatever else it is, it is answered
        # as an integration event (a function error naming what is wrong with it, if anything is).
        return integration.answer(event, _error_answer)
    problem = event_problem(event, door)
    # Set on every invocation: the logger outlives it, and must not carry the last request's id.
    logger.set_correlation_id(None if problem else request_id(event, door))
    request_log.begin(door, event)
    result: dict[str, Any] | None = None
    try:
        result = _refused(problem) if problem else _answer(event, context, door)
        if door == "alb":
            # A target group's answer carries a status line as well as the code.
            result["statusDescription"] = f"{result['statusCode']} {HTTPStatus(result['statusCode']).phrase}"
    finally:
        # Exactly one request line per invocation; one that escaped every answer is Lambda's 500.
        request_log.emit(logger, result["statusCode"] if result else 500)
    return result


def _error_answer(error: Exception) -> Response[str]:
    """The answer ERROR_ANSWERS gives the error: its most specific class's, as a resolver picks it."""
    answer = next(ERROR_ANSWERS[kind] for kind in type(error).__mro__ if kind in ERROR_ANSWERS)
    return answer(error)


def _refused(problem: str) -> dict[str, Any]:
    """A front door's event with a member of a type no front door sends: a direct invoker's mistake."""
    request_log.refused("invalid-params")
    return responses.invalid_event_result(problem)


def _answer(event: Any, context: LambdaContext, door: str) -> dict[str, Any]:
    if door not in _resolvers:
        _resolvers[door] = FRONT_DOORS[door]()
    return _resolvers[door].resolve(event, context)
