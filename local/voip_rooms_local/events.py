"""API Gateway REST (payload v1) proxy events and a Lambda context, as AWS would hand them over."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.utilities.typing import LambdaContext

STAGE = "local"


def rest_event(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    query_string: str = "",
    body: str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """Build the event API Gateway sends for one request (percent-decoding as it does)."""
    headers = dict(headers or {})
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True, errors="strict"):
        multi_query.setdefault(name, []).append(value)
    request_id = str(uuid.uuid4())
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": {name: [value] for name, value in headers.items()} or None,
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
            "accountId": "123456789012",
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "domainName": "localhost",
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
        },
        "body": body,
        "isBase64Encoded": False,
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
