"""Lambda entry point: HTTP concerns only (routing, headers, body, status codes)."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import Logger, correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from voip_rooms import responses
from voip_rooms.auth import authenticate
from voip_rooms.database import get_database
from voip_rooms.errors import (
    AuthenticationFailed,
    DatabaseUnavailable,
    Forbidden,
    InvalidParams,
    PayloadTooLarge,
)
from voip_rooms.params import parse_rooms_params
from voip_rooms.permissions import PermissionCache, authorize
from voip_rooms.rooms import list_rooms
from voip_rooms.settings import SETTINGS
from voip_rooms.store import RocketChatStore

ROOMS_PATH = "/api/v1/voip/rooms"
# The public documentation's own example calls the doubled slash.
DOCUMENTED_ROOMS_PATH = "/api//v1/voip/rooms"

logger = Logger(service="voip-rooms")
app = APIGatewayRestResolver()
permission_cache = PermissionCache(SETTINGS.permissions_cache_ttl_seconds)
login_expiration = timedelta(days=SETTINGS.login_expiration_days)


@app.get(ROOMS_PATH)
@app.get(DOCUMENTED_ROOMS_PATH)
def get_rooms() -> Response[str]:
    event = app.current_event
    user_id = event.headers.get("X-User-Id")  # Powertools matches header names case-insensitively
    token = event.headers.get("X-Auth-Token")
    if not user_id or not token:
        raise AuthenticationFailed
    store = RocketChatStore(get_database(SETTINGS))
    caller = authenticate(store, user_id, token, login_expiration=login_expiration)
    params = parse_rooms_params(_query_parameters(), _request_body())
    authorize(caller, params.agents, permission_cache.roles(store))
    return responses.json_response(200, list_rooms(store, params))


def _query_parameters() -> dict[str, list[str]]:
    event = app.current_event
    multi = event.multi_value_query_string_parameters
    if multi:
        return dict(multi)
    return {name: [value] for name, value in (event.query_string_parameters or {}).items()}


def _request_body() -> str | None:
    event = app.current_event
    body = event.body
    if body is None:
        return None
    if event.is_base64_encoded:
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidParams("The request body must be a JSON object.") from None
    if len(body) > SETTINGS.max_body_bytes or len(body.encode("utf-8")) > SETTINGS.max_body_bytes:
        raise PayloadTooLarge
    return body


@app.not_found
def not_found(_: NotFoundError) -> Response[str]:
    if app.current_event.path in (ROOMS_PATH, DOCUMENTED_ROOMS_PATH):
        return responses.json_response(405, responses.METHOD_NOT_ALLOWED_BODY, {"Allow": "GET"})
    return responses.json_response(404, responses.NOT_FOUND_BODY)


@app.exception_handler(AuthenticationFailed)
def unauthenticated(_: AuthenticationFailed) -> Response[str]:
    logger.info("request refused", extra={"status": 401, "reason": "authentication"})
    return responses.json_response(401, responses.UNAUTHORIZED_BODY)


@app.exception_handler(InvalidParams)
def invalid_params(error: InvalidParams) -> Response[str]:
    logger.info("request refused", extra={"status": 400, "reason": error.error_type, "detail": error.message})
    return responses.json_response(400, responses.invalid_params_body(error.message, error.error_type))


@app.exception_handler(PayloadTooLarge)
def payload_too_large(_: PayloadTooLarge) -> Response[str]:
    logger.info("request refused", extra={"status": 413, "reason": "body-too-large"})
    return responses.json_response(413, responses.PAYLOAD_TOO_LARGE_BODY)


@app.exception_handler(Forbidden)
def forbidden(_: Forbidden) -> Response[str]:
    logger.info("request refused", extra={"status": 403, "reason": "permission"})
    return responses.json_response(403, responses.FORBIDDEN_BODY)


@app.exception_handler(DatabaseUnavailable)
def database_unavailable(error: DatabaseUnavailable) -> Response[str]:
    logger.error("database unavailable", extra={"status": 503, "error_type": str(error)})
    return responses.json_response(503, responses.UNAVAILABLE_BODY)


@app.exception_handler(Exception)
def unexpected(_: Exception) -> Response[str]:
    logger.exception("unexpected error", extra={"status": 500})
    return responses.json_response(500, responses.INTERNAL_ERROR_BODY)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
