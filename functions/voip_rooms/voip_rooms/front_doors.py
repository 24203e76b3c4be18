"""What each HTTP front door hands the function, read the same way whichever door it was.

API Gateway REST (payload v1) and HTTP API (payload v2), Lambda function URLs and Application Load
Balancer target groups each shape their event their own way: which door sent an event, its request
id, the query string's parameters, the body. The handler answers them; this module only reads them.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from aws_lambda_powertools.utilities.data_classes.alb_event import ALBEvent
from aws_lambda_powertools.utilities.data_classes.api_gateway_proxy_event import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from voip_rooms.errors import InvalidParams, PayloadTooLarge
from voip_rooms.settings import SETTINGS


def front_door_of(event: Any) -> str | None:
    """Which front door sent this event: rest, http, url, alb, or None for an unknown shape."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    if not isinstance(context, dict) or not _fields_well_typed(event):
        return None
    if "elb" in context:
        return "alb"
    if event.get("version") == "2.0" and isinstance(context.get("http"), dict):
        return "url" if ".lambda-url." in str(context.get("domainName")) else "http"
    if "httpMethod" in event:
        # REST APIs, and HTTP APIs sending payload format 1.0.
        return "rest"
    return None


# The members every front door's event has, with the types Powertools reads them as.
_EVENT_MEMBER_TYPES: dict[str, type] = {
    "headers": dict,
    "multiValueHeaders": dict,
    "queryStringParameters": dict,
    "multiValueQueryStringParameters": dict,
    "body": str,
    "path": str,
    "rawPath": str,
    "rawQueryString": str,
    "httpMethod": str,
}


def _fields_well_typed(event: dict[str, Any]) -> bool:
    """Whether the event's members have their types (or are null): Powertools cannot read one whose
    headers are a list, say, and it is answered as an unsupported event rather than a crash."""
    return all(
        event.get(name) is None or isinstance(event[name], kind) for name, kind in _EVENT_MEMBER_TYPES.items()
    )


def request_id(event: dict[str, Any], door: str) -> str | None:
    """The front door's own id of the request (an ALB's is its trace header)."""
    if door == "alb":
        headers = event.get("headers") or event.get("multiValueHeaders") or {}
        trace = next((value for name, value in headers.items() if name.lower() == "x-amzn-trace-id"), None)
        return str(trace[0] if isinstance(trace, list) else trace) if trace else None
    found = event["requestContext"].get("requestId")
    return str(found) if found else None


def single_value(value: object) -> str | None:
    """A header's one value; a credential sent twice, or as anything but text, counts as absent."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return value if isinstance(value, str) else None


def query_parameters(event: BaseProxyEvent) -> dict[str, list[str]]:
    """Every query parameter with its values, in the order sent."""
    if isinstance(event, APIGatewayProxyEventV2):
        # Payload v2 joins repeated parameters with commas, which cannot be told apart from a comma
        # inside a value ("roomName=Smith, John"); the raw query string is exact.
        return parse_qs(event.raw_query_string, keep_blank_values=True)
    if isinstance(event, ALBEvent):
        return _form_decoded(event)
    # Payload v1. API Gateway sends every parameter in the multi-value map as well; a direct invoker
    # may send only the single-value one, and each of its values is one value: never split at commas
    # (as Powertools' resolved view does), which would turn a JSON "sort" or "Smith, John" into two.
    single = {name: [value] for name, value in event.query_string_parameters.items()}
    return single | event.multi_value_query_string_parameters


def _form_decoded(event: ALBEvent) -> dict[str, list[str]]:
    """ALB passes the query string as it was received: percent-encoded, with "+" for a space as browsers
    and URLSearchParams write it, so it is decoded as form encoding. Without multi-value headers, ALB
    keeps only the last of repeated parameters; a comma is part of a value, never a separator."""
    raw = event.multi_value_query_string_parameters or {
        name: [value] for name, value in event.query_string_parameters.items()
    }
    decoded: dict[str, list[str]] = {}
    for name, values in raw.items():
        # "agents[]" and "agents%5B%5D" are one parameter once decoded.
        decoded.setdefault(unquote_plus(name), []).extend(unquote_plus(value) for value in values)
    return decoded


def request_body(event: BaseProxyEvent) -> str | None:
    """The body as text (base64 decoded when the front door encoded it), within MAX_BODY_BYTES."""
    body = event.body
    if body is None:
        return None
    if event.is_base64_encoded:
        try:
            body = base64.b64decode(body, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidParams("The request body must be a JSON object.") from None
    # Characters first: a multi-megabyte body is refused without encoding it. surrogatepass: a direct
    # invoker's JSON can carry lone surrogates, which the parser refuses later.
    if (
        len(body) > SETTINGS.max_body_bytes
        or len(body.encode(errors="surrogatepass")) > SETTINGS.max_body_bytes
    ):
        raise PayloadTooLarge
    return body
