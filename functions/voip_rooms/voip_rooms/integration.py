"""Integration events: AWS callers (Step Functions, another Lambda, EventBridge Pipes) invoke the
function directly, and no credential travels in the event.

    {"operation": "voip.rooms", "parameters": {"open": false, "count": 100}}

IAM decides who may invoke (lambda:InvokeFunction on the alias). The function then acts as the
Rocket.Chat user INTEGRATION_USER_ID, whose roles decide what it may list exactly as for an HTTP
caller, on the one listing path (listing.py). ``parameters`` is the JSON-body form of the HTTP
request, validated by the same rules. Success returns the answer object itself (its JSON text); a
failure is a function error, whose class name Lambda reports as its errorType.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from voip_rooms import listing, request_log
from voip_rooms.auth import integration_caller
from voip_rooms.errors import AuthenticationFailed, InvalidParams
from voip_rooms.params import RoomsParams, parse_rooms_params, within_body_limit
from voip_rooms.settings import SETTINGS

OPERATION = "voip.rooms"
_MEMBERS = ("operation", "parameters")
# The members of an HTTP front door's event (API Gateway payloads v1 and v2, function URLs, ALB): an
# event holding any of them is an HTTP request, whatever else it holds. An HTTP request's body, query
# and headers are inside these members, so no request sent through a front door can be an
# integration event.
_HTTP_MEMBERS = frozenset(
    {
        "requestContext",
        "httpMethod",
        "path",
        "resource",
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "cookies",
        "body",
        "isBase64Encoded",
    }
)
NOT_CONFIGURED = (
    "Integration events are not enabled: set INTEGRATION_USER_ID (the template parameter "
    "IntegrationUserId) to the id of the Rocket.Chat user they act as."
)
USER_REFUSED = "The integration user (INTEGRATION_USER_ID) is not an active Rocket.Chat user with a username."
NOT_PERMITTED = (
    "The integration user's roles do not allow this listing: it needs a role with view-livechat-rooms, "
    'or one with view-l-room and "agents" set to its own id alone.'
)
PARAMETERS_NOT_AN_OBJECT = 'The "parameters" of an integration event must be a JSON object.'


class IntegrationError(Exception):
    """An integration event's failure. Lambda reports the class's name as the errorType (a Step
    Functions Retry or Catch names it) and the message as the errorMessage."""


class InvalidParameters(IntegrationError):
    """Bad parameters, or a bad event: every 400 (and the 413) of the HTTP API, with its message."""


class Unauthorized(IntegrationError):
    """No integration user configured, or it is missing, inactive or without a username."""


class Forbidden(IntegrationError):
    """The integration user's roles do not allow the listing asked for."""


class ServiceUnavailable(IntegrationError):
    """The database did not answer within the budget (the HTTP API's 503): retry later."""


class InternalError(IntegrationError):
    """Anything unexpected (the HTTP API's 500)."""


# The same failure's HTTP status says which function error it is; anything else is an InternalError.
_ERRORS_BY_STATUS: dict[int, type[IntegrationError]] = {
    400: InvalidParameters,
    413: InvalidParameters,
    401: Unauthorized,
    403: Forbidden,
    503: ServiceUnavailable,
}


def is_integration_event(event: Any) -> bool:
    """An event with an operation and none of an HTTP front door's members."""
    return isinstance(event, dict) and "operation" in event and _HTTP_MEMBERS.isdisjoint(event)


def answer(event: dict[str, Any]) -> bytes:
    """The page the integration user may list: the answer object itself, with the HTTP body's fields,
    as the JSON text Lambda returns to the caller.

    Lambda's Python runtime writes a handler's dict as JSON, and posts bytes as they are (its runtime
    interface client, awslambdaric's lambda_runtime_marshaller): the caller receives the same JSON
    object either way. As bytes, the page already written for the size limit is the answer: reading
    it back into a dict for the runtime to write again would cost several times the page's own
    writing (docs/PERFORMANCE.md).
    """
    user_id = SETTINGS.integration_user_id
    if not user_id:
        raise AuthenticationFailed(NOT_CONFIGURED)
    text = listing.page_json(
        lambda store: integration_caller(store, user_id),
        lambda: _parameters(event),
        SETTINGS.max_response_bytes,
    )
    return text.encode()


def _parameters(event: dict[str, Any]) -> RoomsParams:
    unknown = [name for name in event if name not in _MEMBERS]
    if unknown:
        raise InvalidParams(
            f'Unknown member "{unknown[0]}" in the integration event: it takes "operation" and "parameters".'
        )
    if event["operation"] != OPERATION:
        raise InvalidParams(f'Unknown operation: an integration event\'s "operation" is "{OPERATION}".')
    parameters = event.get("parameters")
    if parameters is None:
        return parse_rooms_params(None, None)
    if not isinstance(parameters, dict):
        raise InvalidParams(PARAMETERS_NOT_AN_OBJECT)
    try:
        # The JSON-body form, read as a body is: the same rules, limits and messages.
        body = json.dumps(parameters, ensure_ascii=False, allow_nan=False)
    except (ValueError, RecursionError):  # NaN or Infinity; nesting deeper than the encoder goes
        raise InvalidParams(PARAMETERS_NOT_AN_OBJECT) from None
    return parse_rooms_params(None, within_body_limit(body))


def function_error(error: Exception, http_answer: Response[str]) -> IntegrationError:
    """The function error an integration event fails with, given the HTTP answer the same failure gets
    (already logged, and on the request line): its status says which, and a 4xx names the problem
    with the HTTP body's own message (a page's first room too large also with its "next")."""
    kind = _ERRORS_BY_STATUS.get(http_answer.status_code, InternalError)
    if kind is Unauthorized:
        message = str(error) or USER_REFUSED
    elif kind is Forbidden:
        message = NOT_PERMITTED
    else:
        body = json.loads(http_answer.body or "{}")
        message = body["error"] + (f' (next: "{body["next"]}")' if body.get("next") else "")
    request_log.function_error(kind.__name__)
    return kind(message)
