"""Integration events: AWS callers (Step Functions, another Lambda, EventBridge Pipes) invoke the
function directly, and no credential travels in the event.

    {"operation": "voip.rooms", "parameters": {"open": false, "count": 100}}

IAM decides who may invoke (lambda:InvokeFunction on the alias). The function then acts as the
Rocket.Chat user INTEGRATION_USER_ID, whose roles decide what it may list exactly as for an HTTP
caller, on the one listing path (listing.py). ``parameters`` is the JSON-body form of the HTTP
request, validated by the same rules. Success returns the answer object itself (its JSON text); a
failure is a function error, whose class name Lambda reports as its errorType.

Every event that no HTTP front door sent is answered here: a JSON array is a batch (EventBridge Pipes
sends one even with a batch size of 1), answered with an array of answers, one per event in order.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.logging import Logger

from voip_rooms import database, listing, request_log
from voip_rooms.auth import integration_caller
from voip_rooms.errors import AuthenticationFailed, InvalidParams, PayloadTooLarge
from voip_rooms.front_doors import is_front_door_member
from voip_rooms.params import RoomsParams, parse_rooms_params, within_body_limit
from voip_rooms.settings import SETTINGS

OPERATION = "voip.rooms"
_MEMBERS = ("operation", "parameters")
# Events per invocation: they share one database budget and one answer's size, so that a batch ends
# within the budget and fits in what Lambda returns, as one event does.
MAX_BATCH_EVENTS = 10
NOT_CONFIGURED = (
    "Integration events are not enabled: set INTEGRATION_USER_ID (the template parameter "
    "IntegrationUserId) to the id of the Rocket.Chat user they act as."
)
USER_REFUSED = "The integration user (INTEGRATION_USER_ID) is not an active Rocket.Chat user with a username."
NOT_PERMITTED = (
    "The integration user's roles do not allow this listing: it needs a role with view-livechat-rooms, "
    'or one with view-l-room and "agents" set to its own id alone.'
)
NOT_AN_OBJECT = 'An integration event is a JSON object: {"operation": "voip.rooms", "parameters": {...}}.'
NO_OPERATION = f'The integration event has no "operation": it is "{OPERATION}".'
WRONG_OPERATION = f'Unknown operation: an integration event\'s "operation" is "{OPERATION}".'
# A member that an HTTP front door's event has, in an event that has no front door's shape.
NOT_A_FRONT_DOORS_SHAPE = (
    ' An HTTP front door\'s event has a "requestContext" object, as API Gateway, function URLs and ALB '
    "send it."
)
PARAMETERS_NOT_AN_OBJECT = 'The "parameters" of an integration event must be a JSON object.'
TOO_DEEP = 'The "parameters" of an integration event are nested too deeply.'
TOO_MANY_EVENTS = (
    f"A batch holds at most {MAX_BATCH_EVENTS} integration events (for EventBridge Pipes, the pipe's "
    "batch size); this one holds {size}."
)

logger = Logger(service="voip-rooms", child=True)
# The HTTP answer the same failure gets through a front door (the handler's error answers): logged,
# and on the request line, as that answer is.
HttpAnswer = Callable[[Exception], Response[str]]


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


def answer(event: Any, http_answer: HttpAnswer) -> bytes:
    """The answer to an event that no front door sent, as the JSON text Lambda returns to the caller;
    a failure raises the IntegrationError named after it.

    The answer is bytes: the page's JSON as written for the size limit. Lambda's Python runtime posts
    a handler's bytes as they are (its runtime interface client, awslambdaric's LambdaMarshaller:
    bytes unchanged, anything else written as JSON), so the caller receives the same JSON object as
    from a dict, while reading the page back into a dict for the runtime to write again would cost
    several times the page's own writing (docs/PERFORMANCE.md). AWS documents only JSON-serializable
    results: a test runs the runtime's own marshaller on these answers, and the function takes a new
    runtime only with a deployment (RuntimeManagementConfig), so that test and the canary see it first
    (docs/ARCHITECTURE.md).
    """
    if isinstance(event, list):
        return _batch(event, http_answer)
    return _answered(event, http_answer, lambda: _page(event, SETTINGS.max_response_bytes))


def _batch(events: list[Any], http_answer: HttpAnswer) -> bytes:
    """One answer per event, in order, as a JSON array; the first failure fails the whole batch.

    EventBridge Pipes, which sends batches, takes no partial failure from an enrichment: the pipe
    retries the whole batch (or sends it to its dead-letter queue). A listing changes nothing, so
    listing a batch's events again is harmless; an answer array with holes in it would pass on to
    the target as if it were data. The events share one database budget and one answer's size.
    """
    size = len(events)
    if size > MAX_BATCH_EVENTS:

        def refuse() -> bytes:
            raise InvalidParams(TOO_MANY_EVENTS.format(size=size))

        return _answered(None, http_answer, refuse, batch=(None, size))
    # One invocation: its events' metrics carry its start, as Lambda's own do; one database deadline.
    invoked_at = request_log.clock()
    deadline = database.clock() + SETTINGS.mongodb_timeout_ms / 1000
    # Each answer's share of the array's size: its brackets and commas aside.
    share = (SETTINGS.max_response_bytes - 1 - size) // max(size, 1)
    answers = [
        _answered(
            event,
            http_answer,
            functools.partial(_page, event, share, deadline),
            batch=(number, size),
            invoked_at=invoked_at,
        )
        for number, event in enumerate(events, start=1)
    ]
    return b"[" + b",".join(answers) + b"]"


def _answered(
    event: Any,
    http_answer: HttpAnswer,
    work: Callable[[], bytes],
    batch: tuple[int | None, int] | None = None,
    invoked_at: float | None = None,
) -> bytes:
    """What ``work`` answers for one event, with the event's request line; a failure as the function
    error named after the HTTP answer the same failure gets, logged and counted as that answer is."""
    logger.set_correlation_id(None)  # no front door gave it an id: the Lambda request id is the line's
    request_log.begin(request_log.INTEGRATION, event, invoked_at)
    if batch is not None:
        request_log.batch(*batch)
    status = 500
    try:
        result = work()
        status = 200
        return result
    except Exception as error:
        answered = http_answer(error)
        status = answered.status_code
        # Lambda reports the class name as errorType and the message as errorMessage, with a stack
        # trace from here only: nothing of the failure's own trace or context.
        raise _function_error(error, answered, batch) from None
    finally:
        request_log.emit(logger, status)


def _page(event: Any, size_limit: int, deadline: float | None = None) -> bytes:
    """The page the integration user may list: the answer object's JSON, with the HTTP body's fields."""
    user_id = SETTINGS.integration_user_id
    if not user_id:
        raise AuthenticationFailed(NOT_CONFIGURED)
    request_log.configured_user(user_id)
    # The event itself before the user is looked up: a wrong operation is the caller's mistake, and
    # stays one while the database is unavailable. Its parameters are checked as a body is: after.
    _check_event(event)
    text = listing.page_json(
        lambda store: integration_caller(store, user_id),
        lambda: _parameters(event),
        size_limit,
        deadline,
    )
    return text.encode()


def _check_event(event: Any) -> None:
    if not isinstance(event, dict):
        raise InvalidParams(NOT_AN_OBJECT)
    unknown = [name for name in event if name not in _MEMBERS]
    if unknown:
        hint = NOT_A_FRONT_DOORS_SHAPE if any(map(is_front_door_member, event)) else ""
        raise InvalidParams(
            f'Unknown member "{unknown[0]}" in the integration event: it takes "operation" and "parameters".'
            + hint
        )
    if "operation" not in event:
        raise InvalidParams(NO_OPERATION)
    if event["operation"] != OPERATION:
        raise InvalidParams(WRONG_OPERATION)


def _parameters(event: dict[str, Any]) -> RoomsParams:
    parameters = event.get("parameters")
    if parameters is None:
        return parse_rooms_params(None, None)
    if not isinstance(parameters, dict):
        raise InvalidParams(PARAMETERS_NOT_AN_OBJECT)
    try:
        # The JSON-body form, read as a body is: the same rules, limits and messages.
        body = json.dumps(parameters, ensure_ascii=False, allow_nan=False)
    except ValueError:  # NaN or Infinity, which Lambda's JSON parser accepts and JSON has no number for
        raise InvalidParams(_not_a_json_number(parameters)) from None
    except RecursionError:  # nesting deeper than the encoder goes
        raise InvalidParams(TOO_DEEP) from None
    return parse_rooms_params(None, within_body_limit(body))


def _not_a_json_number(parameters: dict[str, Any]) -> str:
    name = next(name for name, value in parameters.items() if not _is_json(value))
    return f'The "{name}" parameter holds NaN or Infinity, which is not a JSON number.'


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


def _function_error(
    error: Exception, http_answer: Response[str], batch: tuple[int | None, int] | None
) -> IntegrationError:
    """The function error an integration event fails with, given the HTTP answer the same failure gets
    (already logged, and on the request line): its status says which, and a 4xx names the problem
    with the HTTP body's own message (a page's first room too large also with its "next"). A batch's
    failure says which of its events failed."""
    kind = _ERRORS_BY_STATUS.get(http_answer.status_code, InternalError)
    if kind is Unauthorized:
        message = str(error) or USER_REFUSED
    elif kind is Forbidden:
        message = NOT_PERMITTED
    elif isinstance(error, PayloadTooLarge):
        message = (
            f'The "parameters" are larger than {SETTINGS.max_body_bytes} bytes, the most a request body may '
            "hold (MAX_BODY_BYTES). [error-body-too-large]"
        )
    else:
        body = json.loads(cast(str, http_answer.body))  # every answer but a 2xx has a JSON body
        message = body["error"] + (f' (next: "{body["next"]}")' if body.get("next") else "")
    if batch is not None and batch[0] is not None:
        message = f"Event {batch[0]} of the batch of {batch[1]}: {message}"
    request_log.function_error(kind.__name__)
    return kind(message)
