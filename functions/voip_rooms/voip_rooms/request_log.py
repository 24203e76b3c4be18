"""The request line: one line per invocation, which is also that request's CloudWatch EMF record.

One write serves the log search and the metrics: CloudWatch reads the metrics named in the line's
``_aws`` directive from the line itself, so there is no second serializer and no metrics flush.
The line is built once, as a dict, by the handler as the request goes, with the logger's own keys
(service, correlation id, Lambda request id, cold_start), and written in one orjson dump to the
logger's stream: the same JSON lines as every other log line, at a fraction of the cost.

It carries the names of the parameters a caller used, never their values (visitor ids and room
names are personal data). It carries the caller's user id once authentication proved it; until then
only a fingerprint of the id claimed, since a client that swaps the two headers (a common mistake)
claims its token as its id. Never a token, a hash of one or a URI.

It is written at every log level: its metrics are what the rollback, 5xx-rate and database-time
alarms read, so a quieter log level must not silence them.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

import orjson
from aws_lambda_powertools.logging import Logger

from voip_rooms.params import PUBLIC_NAMES, RoomsParams
from voip_rooms.settings import SETTINGS
from voip_rooms.store import command_stats

MESSAGE = "request"
LOCATION = "request_log"
# The logger's keys that its formatter fills per record; the line sets them itself.
_FORMATTED = frozenset({"level", "location", "message", "timestamp"})
# A path or a user id is the caller's text: long enough to read, never a whole URL's worth.
MAX_TEXT = 200
# Hex digits of a claimed user id's SHA-256 on the line until authentication proves the id: enough to
# tell callers apart, nothing to recover a token from.
FINGERPRINT_DIGITS = 16
FINGERPRINT_PREFIX = b"voip-rooms:"
# Metrics, read by CloudWatch from the line's keys of the same names.
REQUESTS = {"Name": "Requests", "Unit": "Count"}
LATENCY = {"Name": "Latency", "Unit": "Milliseconds"}
DATABASE_TIME = {"Name": "DatabaseTime", "Unit": "Milliseconds"}
ROOMS_RETURNED = {"Name": "RoomsReturned", "Unit": "Count"}
COLD_START = {"Name": "ColdStart", "Unit": "Count"}
# The Calls page and its assets count apart: the API's Requests and Latency feed its alarms and dashboards.
PAGE_REQUESTS = {"Name": "PageRequests", "Unit": "Count"}
PAGE_LATENCY = {"Name": "PageLatency", "Unit": "Milliseconds"}
# Kept small, since each set is a metric series of its own: the service, and its status classes.
# "service" is the key Powertools' logger writes on every line.
DIMENSIONS = [["service"], ["service", "StatusClass"]]
# Integration events that failed with a function error of their own, in all and by errorType: Lambda's
# Errors metric counts them too, and the alarm on crashes subtracts them.
FUNCTION_ERRORS = {"Name": "FunctionErrors", "Unit": "Count"}
FUNCTION_ERROR_DIMENSIONS = [["service"], ["service", "ErrorType"]]
# The front door of integration events, which have an operation instead of a method and a path.
INTEGRATION = "integration"
# The parameters named on the line; count and offset have their values there instead.
NAMED_PARAMETERS = tuple(
    (field, name) for field, name in PUBLIC_NAMES.items() if field not in ("count", "offset")
)

line: dict[str, Any] = {}
_started = 0.0
# When the invocation began (the wall clock): its metrics' timestamp, as Lambda's own metrics are
# timestamped when the function was invoked, so that Errors and FunctionErrors fall in the same period.
_invoked = 0.0
_cold = True


def clock() -> float:
    return time.time()


def begin(front_door: str, event: Any, invoked_at: float | None = None) -> None:
    """Start the line of a new invocation (or of a batch's next event, with the time the batch's
    invocation began): the clocks, the front door, the method and the path."""
    global line, _started, _invoked  # noqa: PLW0603 - one invocation at a time per container
    _started = time.perf_counter()
    _invoked = clock() if invoked_at is None else invoked_at
    command_stats.reset()
    line = {"front_door": front_door}
    if front_door == INTEGRATION:
        line["operation"] = _text(event.get("operation") if isinstance(event, dict) else None)
    else:
        method, path = _method_and_path(front_door, event)
        line["method"], line["path"] = _text(method), _text(path)


def batch(number: int | None, size: int) -> None:
    """The event's place in a batch of integration events (none for a batch refused as a whole)."""
    if number is not None:
        line["batch_event"] = number
    line["batch_size"] = size


def page_view() -> None:
    """A request for the Calls page or one of its assets: logged as any, counted apart from the API."""
    line["served"] = "calls-page"


def caller(claimed_user_id: str) -> None:
    """The user id the request claims, not proven yet: only its fingerprint goes on the line."""
    line["user_fingerprint"] = fingerprint(claimed_user_id)


def configured_user(user_id: str) -> None:
    """The user an integration event acts as: configuration, not a caller's claim, so the line names it
    also when it is refused (a mistyped id and a deactivated user then read apart)."""
    line["user_id"] = user_id[:MAX_TEXT]


def authenticated(user_id: str) -> None:
    """The caller proved this user id: the line names it."""
    line.pop("user_fingerprint", None)
    line["user_id"] = user_id[:MAX_TEXT]


def fingerprint(claimed_user_id: str) -> str:
    """A fixed-length fingerprint of a claimed id (``printf 'voip-rooms:%s' ID | sha256sum`` shows its
    first digits). The prefix keeps it from being any part of the hash Rocket.Chat stores of a token
    (SHA-256 of the token alone), should the id claimed be a token."""
    digest = hashlib.sha256(FINGERPRINT_PREFIX + claimed_user_id.encode(errors="surrogatepass")).hexdigest()
    return digest[:FINGERPRINT_DIGITS]


def parameters(params: RoomsParams) -> None:
    line["params"] = params


def page(envelope: dict[str, Any], limit: int) -> None:
    line["page"] = envelope
    line["count"] = limit


def answered(envelope: dict[str, Any]) -> None:
    """The envelope actually answered, when the page was ended early to fit the size limit."""
    line["page"] = envelope


def refused(reason: str) -> None:
    line["reason"] = reason


def failed(cause: str) -> None:
    """Why the answer is a 5xx: the driver's error type, the secret's AWS error code, an exception's class."""
    line["cause"] = cause


def function_error(error_type: str) -> None:
    """The function error an integration event ended with (InvalidParameters, ServiceUnavailable, ...)."""
    line["ErrorType"] = error_type


def emit(logger: Logger, status: int) -> None:
    """Write the line, whatever the logger's level (its metrics feed the alarms)."""
    global _cold
    latency_ms = (time.perf_counter() - _started) * 1000
    cold, _cold = _cold, False
    now = time.time()
    record: dict[str, Any] = {
        "level": "INFO",
        "location": LOCATION,
        "message": MESSAGE,
        "timestamp": _timestamp(now),
    }
    log_handler: Any = logger.registered_handler
    # The logger's own keys: service, cold_start, the function's name and request id, correlation_id.
    record.update(
        (key, value)
        for key, value in log_handler.formatter.get_current_keys().items()
        if value is not None and key not in _FORMATTED
    )
    record.update(line)
    requests, latency = (PAGE_REQUESTS, PAGE_LATENCY) if "served" in line else (REQUESTS, LATENCY)
    metrics = [requests, latency]
    record["status"] = status
    record["StatusClass"] = f"{status // 100}xx"
    record[requests["Name"]] = 1
    record[latency["Name"]] = round(latency_ms, 3)
    if command_stats.commands:
        metrics.append(DATABASE_TIME)
        record["database_commands"] = command_stats.commands
        record["DatabaseTime"] = round(command_stats.seconds * 1000, 3)
    params: RoomsParams | None = record.pop("params", None)
    if params is not None:
        record["filters"] = [name for field, name in NAMED_PARAMETERS if getattr(params, field) is not None]
    envelope: dict[str, Any] | None = record.pop("page", None)
    if envelope is not None and status == 200:  # a page read but refused (too large) was not answered
        metrics.append(ROOMS_RETURNED)
        record["offset"], record["total"] = envelope["offset"], envelope["total"]
        record["RoomsReturned"] = envelope["count"]
    if cold:
        metrics.append(COLD_START)
        record["ColdStart"] = 1
    trace = os.environ.get("_X_AMZN_TRACE_ID")
    if trace:
        record["xray_trace_id"] = trace.partition(";")[0].removeprefix("Root=")
    directives = [{"Namespace": SETTINGS.metrics_namespace, "Dimensions": DIMENSIONS, "Metrics": metrics}]
    if "ErrorType" in record:
        record["FunctionErrors"] = 1
        directives.append(
            {
                "Namespace": SETTINGS.metrics_namespace,
                "Dimensions": FUNCTION_ERROR_DIMENSIONS,
                "Metrics": [FUNCTION_ERRORS],
            }
        )
    record["_aws"] = {"Timestamp": int(_invoked * 1000), "CloudWatchMetrics": directives}
    # Straight to the logger's stream, as one orjson dump: through logging, the record, the caller
    # lookup and the formatter's copy of every attribute cost several times the line itself.
    stream = log_handler.stream
    stream.write(orjson.dumps(record, default=str).decode("utf-8") + "\n")
    stream.flush()


def _timestamp(now: float) -> str:
    """The logger's own timestamp form (2026-11-27 14:03:07,123+0000), so every line sorts alike."""
    local = time.localtime(now)
    milliseconds = int(now * 1000) % 1000
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', local)},{milliseconds:03d}{time.strftime('%z', local)}"


def _text(value: Any) -> str | None:
    """A member of the caller's event as the line shows it: text, and not too long of it."""
    return value[:MAX_TEXT] if isinstance(value, str) else None


def _method_and_path(front_door: str, event: dict[str, Any]) -> tuple[Any, Any]:
    if front_door in ("http", "url"):
        http = event["requestContext"]["http"]
        return http.get("method"), event.get("rawPath")
    return event.get("httpMethod"), event.get("path")
