"""The contract's response bodies, shared by the route and the exception handlers."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from voip_rooms.serialization import to_json

JSON = "application/json"
NOT_LOGGED_IN = "You must be logged in to do this."
UNAUTHORIZED_BODY = {"success": False, "status": "error", "message": NOT_LOGGED_IN, "error": NOT_LOGGED_IN}
FORBIDDEN_BODY = {"success": False, "error": "unauthorized"}
UNAVAILABLE_BODY = {"success": False, "error": "Service temporarily unavailable"}
INTERNAL_ERROR_BODY = {"success": False, "error": "Internal server error"}
NOT_FOUND_BODY = {"success": False, "error": "Not found"}
METHOD_NOT_ALLOWED_BODY = {"success": False, "error": "Method not allowed"}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return json_text_response(status, to_json(body).decode(), headers)


def json_text_response(status: int, text: str, headers: dict[str, str] | None = None) -> Response[str]:
    """An answer whose body is already JSON text."""
    return Response(
        status_code=status,
        content_type=JSON,
        body=text,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def invalid_params_body(message: str, error_type: str) -> dict[str, Any]:
    return {"success": False, "error": f"{message} [{error_type}]", "errorType": error_type}


def payload_too_large_body(limit: int) -> dict[str, Any]:
    """The 413's body: the parameters' error form, with an errorType of its own (no parameter was
    read, so none is named), and the limit the client must keep under."""
    return invalid_params_body(f"The request body is larger than {limit} bytes", "error-body-too-large")


def invalid_event_result(problem: str) -> dict[str, Any]:
    """The result for a front door's event with a member of a type no front door sends (only a direct
    invoker writes one): the 400 of a bad parameter, naming the member, in the front door's shape."""
    body = invalid_params_body(f"The event's {problem}.", "invalid-params")
    return {
        "statusCode": 400,
        "headers": {"Content-Type": JSON, "Cache-Control": "no-store"},
        "body": to_json(body).decode(),
        "isBase64Encoded": False,
    }
