"""Domain errors: each maps to exactly one HTTP answer in the handler's exception handlers."""

from __future__ import annotations


class AuthenticationFailed(Exception):
    """Missing, unknown, expired or inactive credentials (401)."""


class InvalidParams(Exception):
    """A request parameter the contract refuses (400)."""

    def __init__(self, message: str, error_type: str = "invalid-params") -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type


class PayloadTooLarge(Exception):
    """A request body above MAX_BODY_BYTES (413)."""


class Forbidden(Exception):
    """Authenticated, but the caller's roles do not allow this listing (403)."""


class DatabaseUnavailable(Exception):
    """MongoDB could not be reached or did not answer in time (503)."""
