"""Front-door events (API Gateway REST v1 and HTTP v2, function URL, ALB) as AWS hands them over,
and a Lambda context for local invocations."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.utilities.typing import LambdaContext

STAGE = "local"
ACCOUNT_ID = "123456789012"
TARGET_GROUP_ARN = (
    f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT_ID}:targetgroup/voip-rooms/73e2d6bc24d8a067"
)
EventBuilder = Callable[..., dict[str, Any]]


def decoded_query(query_string: str) -> dict[str, list[str]]:
    """Decoded parameters, as API Gateway and function URLs decode them (strictly: bad escapes raise)."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True, errors="strict"):
        values.setdefault(name, []).append(value)
    return values


def rest_event(
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    query_string: str = "",
    body: str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """API Gateway REST API (payload v1) proxy event; also what direct invokers send.

    ``headers`` as received, a header possibly repeated: ``headers`` keeps the last value of each,
    ``multiValueHeaders`` every value, as API Gateway does.
    """
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
    multi_headers: dict[str, list[str]] = {}
    for name, value in pairs:
        multi_headers.setdefault(name, []).append(value)
    single_headers = dict(pairs)
    multi_query = decoded_query(query_string)
    request_id = str(uuid.uuid4())
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": single_headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "requestTimeEpoch": int(time.time() * 1000),
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "domainName": "localhost",
            "identity": {"sourceIp": source_ip, "userAgent": single_headers.get("User-Agent", "")},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def http_api_event(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    query_string: str = "",
    body: str | None = None,
    source_ip: str = "127.0.0.1",
    domain_name: str = "abcdef1234.execute-api.us-east-1.amazonaws.com",
) -> dict[str, Any]:
    """API Gateway HTTP API (payload v2) event, $default stage.

    Header names arrive lower-cased and repeated query parameters comma-joined, as AWS sends them.
    """
    multi_query = decoded_query(query_string)
    request_id = str(uuid.uuid4())
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query_string,
        "cookies": [],
        "headers": {name.lower(): value for name, value in (headers or {}).items()},
        "queryStringParameters": {name: ",".join(values) for name, values in multi_query.items()} or None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": domain_name.split(".", 1)[0],
            "domainName": domain_name,
            "domainPrefix": domain_name.split(".", 1)[0],
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": (headers or {}).get("User-Agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": body,
        "isBase64Encoded": False,
    }


def function_url_event(method: str, path: str, **options: Any) -> dict[str, Any]:
    """Lambda function URL event: payload v2 on a *.lambda-url.* domain."""
    return http_api_event(method, path, domain_name="a1b2c3d4e5f6g7h8.lambda-url.us-east-1.on.aws", **options)


def alb_event(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    query_string: str = "",
    body: str | None = None,
    source_ip: str = "127.0.0.1",
    multi_value: bool = False,
) -> dict[str, Any]:
    """Application Load Balancer target-group event.

    The query string stays percent-encoded, as ALB sends it.
    """
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}")
    headers.setdefault("x-forwarded-for", source_ip)
    raw_pairs = [pair.partition("=") for pair in query_string.split("&") if pair]
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {
                "targetGroupArn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT_ID}:"
                "targetgroup/voip-rooms/73e2d6bc24d8a067"
            }
        },
        "httpMethod": method,
        "path": path,
        "body": body or "",
        "isBase64Encoded": False,
    }
    if multi_value:
        multi_query: dict[str, list[str]] = {}
        for name, _, value in raw_pairs:
            multi_query.setdefault(name, []).append(value)
        event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
        event["multiValueQueryStringParameters"] = multi_query
    else:
        event["headers"] = headers
        event["queryStringParameters"] = {name: value for name, _, value in raw_pairs}
    return event


def alb_multi_value_event(method: str, path: str, **options: Any) -> dict[str, Any]:
    return alb_event(method, path, multi_value=True, **options)


EVENT_BUILDERS: dict[str, EventBuilder] = {
    "rest": rest_event,
    "http": http_api_event,
    "url": function_url_event,
    "alb": alb_event,
    "alb-multi": alb_multi_value_event,
}


class LocalLambdaContext(LambdaContext):
    """Lambda's context object for one local invocation, with a real remaining-time clock."""

    def __init__(
        self, function_name: str = "voip-rooms-local", memory_mb: int = 512, timeout_ms: int = 10_000
    ) -> None:
        self._function_name = function_name
        self._function_version = "$LATEST"
        self._invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self._memory_limit_in_mb = memory_mb
        self._aws_request_id = str(uuid.uuid4())
        self._log_group_name = f"/aws/lambda/{function_name}"
        self._log_stream_name = "local"
        self._tenant_id = None
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override] # an instance method on Lambda too
        return max(0, int((self._deadline - time.monotonic()) * 1000))
