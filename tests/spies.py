"""Recording what the code under test calls, without changing what the call does."""

from __future__ import annotations

from typing import Any

import pytest


def record_arguments(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """Wrap the one-argument function ``owner.name`` for one test: each call's argument, in order."""
    arguments: list[Any] = []
    original = getattr(owner, name)

    def recording(argument: Any) -> Any:
        arguments.append(argument)
        return original(argument)

    monkeypatch.setattr(owner, name, recording)
    return arguments
