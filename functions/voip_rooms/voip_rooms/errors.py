"""Domain errors: each maps to exactly one HTTP answer in the handler's exception handlers."""

from __future__ import annotations


class AuthenticationFailed(Exception):
    """Missing, unknown, expired or inactive credentials (401)."""


MAX_MESSAGE_LENGTH = 300


class InvalidParams(Exception):
    """A request parameter the contract refuses (400).

    Messages quote what the caller sent; they are made safe to answer with here, once: characters
    JSON cannot carry (lone surrogates) are escaped, and the length is capped.
    """

    def __init__(self, message: str, error_type: str = "invalid-params") -> None:
        safe = message.encode(errors="backslashreplace").decode()
        if len(safe) > MAX_MESSAGE_LENGTH:
            safe = safe[: MAX_MESSAGE_LENGTH - 1] + "…"
        super().__init__(safe)
        self.message = safe
        self.error_type = error_type


class RoomTooLarge(InvalidParams):
    """The first room of a page alone is larger than one answer may be (400). ``next`` is the cursor
    right after it, so that a walk can step over it."""

    def __init__(self, message: str, next_cursor: str) -> None:
        super().__init__(message, "error-room-too-large")
        self.next = next_cursor


class PayloadTooLarge(Exception):
    """A request body above MAX_BODY_BYTES (413)."""


class Forbidden(Exception):
    """Authenticated, but the caller's roles do not allow this listing (403)."""


class DatabaseUnavailable(Exception):
    """MongoDB could not be reached or did not answer in time (503)."""


class DatabaseNotConfigured(DatabaseUnavailable):
    """No usable connection string: the setting that should hold one is empty, or holds something the
    driver cannot use (503). ``setting`` names it and ``reason`` says why, never with the value; the
    message is the two as one sentence."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting} {reason}")
        self.setting = setting
        self.reason = reason


class DatabaseCredentialsRejected(DatabaseUnavailable):
    """MongoDB refused the connection string's credentials: perhaps rotated since it was read (503)."""


class ConnectionSecretUnavailable(DatabaseUnavailable):
    """The connection string's secret could not be read in time, or AWS refused it (503).

    The message is the AWS error code (AccessDeniedException, DecryptionFailure, ...) or the name of
    the network error: never the secret.
    """
