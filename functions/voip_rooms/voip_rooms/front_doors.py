"""What each HTTP front door hands the function, read the same way whichever door it was.

API Gateway REST (payload v1) and HTTP API (payload v2), Lambda function URLs and Application Load
Balancer target groups each shape their event their own way: which door sent an event, its request
id, the query string's parameters, the body. The handler answers them; this module only reads them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from itertools import repeat
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from aws_lambda_powertools.utilities.data_classes.alb_event import ALBEvent
from aws_lambda_powertools.utilities.data_classes.api_gateway_proxy_event import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from voip_rooms.errors import InvalidParams


def shape_of(event: Any) -> str | None:
    """Which front door's shape this event has: rest, http, url, alb; None for any other event (an
    integration event, or a mistake), which no front door sends: every one sends a requestContext."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    if not isinstance(context, dict):
        return None
    if "elb" in context:
        return "alb"
    if event.get("version") == "2.0" and isinstance(context.get("http"), dict):
        return "url" if ".lambda-url." in str(context.get("domainName")) else "http"
    if "httpMethod" in event:
        # REST APIs, and HTTP APIs sending payload format 1.0.
        return "rest"
    return None


def event_problem(event: dict[str, Any], door: str) -> str | None:
    """What makes an event of ``door``'s shape unreadable, naming the member ("headers.X-User-Id"
    must be text); None when nothing is."""
    for path in _REQUIRED_MEMBERS[door]:
        if not isinstance(_member(event, path), str):
            return f"{_name(path)} must be text"
    for name, (well_typed, kind) in _OPTIONAL_MEMBERS.items():
        value = event.get(name)
        if value is not None and not well_typed(value):
            return _type_problem(name, value, kind)
    return None


def is_front_door_member(name: str) -> bool:
    """Whether a front door's event has a member of this name (its request, or how it is recognised)."""
    return name in _OPTIONAL_MEMBERS or any(
        path[0] == name for paths in _REQUIRED_MEMBERS.values() for path in paths
    )


# What a front door's event holds, as AWS sends it and as Powertools reads it. A direct invoker writes
# its own event, in whatever types its JSON has: anything else is refused by name, before Powertools
# reads it (a number where text belongs would crash it). Checked on every request: the well-typed
# event takes one builtin check per member; only a refusal looks for the member to name.
_TEXT, _FLAG, _TEXT_MAP, _TEXT_LISTS = "text", "true or false", "an object of text", "an object of text lists"
_ITEM_KINDS = {_TEXT_MAP: _TEXT, _TEXT_LISTS: "a list of text"}


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(map(isinstance, value, repeat(str)))


def _is_text_map(value: Any) -> bool:
    return isinstance(value, dict) and all(map(isinstance, value.values(), repeat(str)))


def _is_text_lists_map(value: Any) -> bool:
    return isinstance(value, dict) and all(map(_is_text_list, value.values()))


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool)


_OPTIONAL_MEMBERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "headers": (_is_text_map, _TEXT_MAP),
    "multiValueHeaders": (_is_text_lists_map, _TEXT_LISTS),
    "queryStringParameters": (_is_text_map, _TEXT_MAP),
    "multiValueQueryStringParameters": (_is_text_lists_map, _TEXT_LISTS),
    "body": (_is_text, _TEXT),
    "path": (_is_text, _TEXT),
    "rawPath": (_is_text, _TEXT),
    "httpMethod": (_is_text, _TEXT),
    "rawQueryString": (_is_text, _TEXT),
    "isBase64Encoded": (_is_flag, _FLAG),
}
_PAYLOAD_V1_MEMBERS: tuple[tuple[str, ...], ...] = (("httpMethod",), ("path",))
_PAYLOAD_V2_MEMBERS: tuple[tuple[str, ...], ...] = (
    ("rawPath",),
    ("requestContext", "http", "method"),
    ("requestContext", "stage"),
)
_REQUIRED_MEMBERS = {
    "rest": _PAYLOAD_V1_MEMBERS,
    "alb": _PAYLOAD_V1_MEMBERS,
    "http": _PAYLOAD_V2_MEMBERS,
    "url": _PAYLOAD_V2_MEMBERS,
}
# A name quoted back from a caller's event: long enough to recognise.
_SHOWN_NAME = 64


def _member(event: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = event
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _type_problem(name: str, value: Any, kind: str) -> str:
    """What is wrong with a member that failed its check: itself, or the first value in it."""
    item_kind = _ITEM_KINDS.get(kind)
    if item_kind is not None and isinstance(value, dict):
        well_typed = _is_text if kind == _TEXT_MAP else _is_text_list
        key = next(key for key, item in value.items() if not well_typed(item))
        return f"{_name((name, key))} must be {item_kind}"
    return f"{_name((name,))} must be {kind}"


def _name(path: tuple[str, ...]) -> str:
    """The member's dotted name, quoted; text JSON cannot carry (lone surrogates) escaped."""
    name = ".".join(path)[:_SHOWN_NAME]
    return '"' + name.encode(errors="backslashreplace").decode() + '"'


def request_id(event: dict[str, Any], door: str) -> str | None:
    """The front door's own id of the request (an ALB's is its trace header)."""
    if door == "alb":
        headers = event.get("headers") or event.get("multiValueHeaders") or {}
        trace = next((value for name, value in headers.items() if name.lower() == "x-amzn-trace-id"), None)
        return str(trace[0] if isinstance(trace, list) else trace) if trace else None
    found = event["requestContext"].get("requestId")
    return str(found) if found else None


def single_value(value: str | list[str] | None) -> str | None:
    """A header's one value; a credential sent twice counts as absent. (A header of any type but text
    never gets here: the event's members are checked first, and such an event is a 400.)"""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def query_parameters(event: BaseProxyEvent) -> dict[str, list[str]]:
    """Every query parameter with its values, in the order sent."""
    if isinstance(event, APIGatewayProxyEventV2):
        # Payload v2 joins repeated parameters with commas, which cannot be told apart from a comma
        # inside a value ("roomName=Smith, John"); the raw query string, which AWS always sends, is
        # exact. A hand-written event may leave it out: its single values are then each taken whole.
        raw = event.get("rawQueryString")
        if raw is None:
            return _whole_values(event.query_string_parameters)
        return parse_qs(raw, keep_blank_values=True)
    if isinstance(event, ALBEvent):
        return _form_decoded(event)
    # Payload v1. API Gateway sends every parameter in the multi-value map as well; a direct invoker
    # may send only the single-value one, and each of its values is one value: never split at commas
    # (as Powertools' resolved view does), which would turn a JSON "sort" or "Smith, John" into two.
    return _whole_values(event.query_string_parameters) | event.multi_value_query_string_parameters


def _whole_values(single_values: dict[str, str]) -> dict[str, list[str]]:
    return {name: [value] for name, value in single_values.items()}


def _form_decoded(event: ALBEvent) -> dict[str, list[str]]:
    """ALB passes the query string as it was received: percent-encoded, with "+" for a space as browsers
    and URLSearchParams write it, so it is decoded as form encoding. Without multi-value headers, ALB
    keeps only the last of repeated parameters; a comma is part of a value, never a separator."""
    raw = event.multi_value_query_string_parameters or _whole_values(event.query_string_parameters)
    decoded: dict[str, list[str]] = {}
    for name, values in raw.items():
        # "agents[]" and "agents%5B%5D" are one parameter once decoded.
        decoded.setdefault(unquote_plus(name), []).extend(unquote_plus(value) for value in values)
    return decoded


def request_body(event: BaseProxyEvent) -> str | None:
    """The body as text, base64 decoded when the front door encoded it."""
    body = event.body
    if body is None or not event.is_base64_encoded:
        return body
    try:
        return base64.b64decode(body, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidParams("The request body must be a JSON object.") from None
