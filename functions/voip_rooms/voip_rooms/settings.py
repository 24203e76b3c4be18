"""Configuration read once per container from the environment (see README, "Configuration")."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


def _int_env(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


READ_PREFERENCES = ("primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest")


def _choice_env(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}")
    return value


_DEFAULT_PORTS = {"http": 80, "https": 443}
# scheme://host[:port], the host an ASCII name (an internationalised one in its xn-- form) or [IPv6].
_ORIGIN = re.compile(r"(https?)://([a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?", re.IGNORECASE)


def _origin(value: str, name: str) -> str:
    """One exact origin, written as browsers send it: lower-case, without its scheme's default port.

    Origins are compared as plain strings, so https://A.example.com:443 would never match the
    https://a.example.com that a browser sends for the same site.
    """
    match = _ORIGIN.fullmatch(value)
    if match:
        scheme, host = match[1].lower(), match[2].lower()
        port = int(match[3]) if match[3] else _DEFAULT_PORTS[scheme]
        if port <= 65535:
            return f"{scheme}://{host}" if port == _DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"
    raise ValueError(
        f"{name} takes exact origins such as https://dashboard.example.com or http://localhost:5173"
    )


def _origins_env(name: str) -> tuple[str, ...]:
    """Comma-separated exact origins (scheme://host[:port]); a wildcard or a path is refused."""
    return tuple(_origin(o.strip(), name) for o in os.environ.get(name, "").split(",") if o.strip())


def _bool_env(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower() or str(default).lower()
    if value not in ("true", "false"):
        raise ValueError(f"{name} must be true or false")
    return value == "true"


@dataclass(frozen=True, slots=True)
class Settings:
    mongodb_uri: str
    mongodb_secret_arn: str
    mongodb_uri_parameter: str
    mongodb_secret_max_age_seconds: int
    mongodb_database: str
    mongodb_timeout_ms: int
    mongodb_max_pool_size: int
    mongodb_read_preference: str
    login_expiration_days: int
    permissions_cache_ttl_seconds: int
    max_body_bytes: int
    max_string_length: int
    max_array_length: int
    max_response_bytes: int
    cors_allowed_origins: tuple[str, ...]
    # Observability: the request line's metrics namespace; X-Ray subsegments per database command
    # (off the cold-start path unless asked for).
    metrics_namespace: str
    trace_database_commands: bool
    # The Swagger UI at /api/v1/voip/rooms/docs: off unless asked for, so that nothing of it loads.
    enable_swagger_ui: bool
    # The Calls page at /voip-calls: on unless turned off; nothing of it loads before its first visit.
    enable_calls_page: bool
    # The Rocket.Chat user that integration events act as; empty: integration events are refused.
    integration_user_id: str

    @property
    def connection_setting(self) -> str:
        """The setting the connection string comes from (a plain MONGODB_URI wins), or all three."""
        if self.mongodb_uri:
            return "MONGODB_URI"
        if self.mongodb_secret_arn:
            return "MONGODB_SECRET_ARN"
        if self.mongodb_uri_parameter:
            return "MONGODB_URI_PARAMETER"
        return "MONGODB_URI, MONGODB_SECRET_ARN or MONGODB_URI_PARAMETER"

    @property
    def connection_from_secret(self) -> bool:
        """The connection string is read from Secrets Manager or SSM (a plain MONGODB_URI wins)."""
        return not self.mongodb_uri and bool(self.mongodb_secret_arn or self.mongodb_uri_parameter)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            mongodb_uri=os.environ.get("MONGODB_URI", "").strip(),
            mongodb_secret_arn=os.environ.get("MONGODB_SECRET_ARN", "").strip(),
            mongodb_uri_parameter=os.environ.get("MONGODB_URI_PARAMETER", "").strip(),
            mongodb_secret_max_age_seconds=_int_env("MONGODB_SECRET_MAX_AGE_SECONDS", 300),
            mongodb_database=os.environ.get("MONGODB_DATABASE", "").strip() or "rocketchat",
            mongodb_timeout_ms=_int_env("MONGODB_TIMEOUT_MS", 5000, minimum=1),
            mongodb_max_pool_size=_int_env("MONGODB_MAX_POOL_SIZE", 2, minimum=1),
            mongodb_read_preference=_choice_env(
                "MONGODB_READ_PREFERENCE", "secondaryPreferred", READ_PREFERENCES
            ),
            login_expiration_days=_int_env("LOGIN_EXPIRATION_DAYS", 90, minimum=1),
            permissions_cache_ttl_seconds=_int_env("PERMISSIONS_CACHE_TTL_SECONDS", 60),
            max_body_bytes=_int_env("MAX_BODY_BYTES", 16_384, minimum=2),
            max_string_length=_int_env("MAX_STRING_LENGTH", 256, minimum=1),
            max_array_length=_int_env("MAX_ARRAY_LENGTH", 100, minimum=1),
            # Under Lambda's 6 MB result limit, leaving room for headers and the front door's envelope.
            max_response_bytes=_int_env("MAX_RESPONSE_BYTES", 5_500_000, minimum=10_000),
            cors_allowed_origins=_origins_env("CORS_ALLOWED_ORIGINS"),
            metrics_namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "").strip() or "VoipRooms",
            trace_database_commands=_bool_env("TRACE_DATABASE_COMMANDS"),
            enable_swagger_ui=_bool_env("ENABLE_SWAGGER_UI"),
            enable_calls_page=_bool_env("ENABLE_CALLS_PAGE", default=True),
            integration_user_id=os.environ.get("INTEGRATION_USER_ID", "").strip(),
        )


SETTINGS = Settings.from_env()
