"""Counts in the commands' sentences: ``1 room``, ``2,500 rooms``."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """The count, with thousands separators, and the noun that agrees with it."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
