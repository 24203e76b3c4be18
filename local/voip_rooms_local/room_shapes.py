"""Which stored VoIP rooms the answer schema does not describe, and where (for the loader and doctor).

A room is judged by its answer, not by its stored form: it is serialized exactly as the function
serializes it, then validated strictly (JSON types only) against the model openapi.json is written from.
Such rooms are still served as they are; this only tells the user where the published schema falls short.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from voip_rooms.query import VOIP_ROOM_TYPE
from voip_rooms.serialization import to_json
from voip_rooms_local.models import VoipRoom

Document = dict[str, Any]
SAMPLE_PATHS = 3
_BATCH = 1000
_ROOMS = TypeAdapter(list[VoipRoom])


class ShapeSurvey:
    def __init__(self) -> None:
        self.voip_rooms = 0
        self.undescribed = 0
        self.paths: list[str] = []

    def passing(self, documents: Iterable[Document]) -> Iterator[Document]:
        """The same documents, surveyed a batch at a time as they go by."""
        for batch in batched(documents, _BATCH):
            self.add(batch)
            yield from batch

    def add(self, documents: Sequence[Document]) -> None:
        rooms = [room for room in documents if room.get("t") == VOIP_ROOM_TYPE]
        self.voip_rooms += len(rooms)
        if not rooms:
            return
        try:
            _ROOMS.validate_json(to_json(rooms), strict=True)
        except ValidationError as error:
            failing: set[int] = set()
            for problem in error.errors():
                index, *where = problem["loc"]
                failing.add(int(index))
                path = ".".join(str(part) for part in where if not isinstance(part, int)) or "(room)"
                if path not in self.paths and len(self.paths) < SAMPLE_PATHS:
                    self.paths.append(path)
            self.undescribed += len(failing)

    def summary(self) -> str | None:
        if not self.undescribed:
            return None
        return (
            f"{self.undescribed} of {self.voip_rooms} VoIP rooms hold values the answer schema does not "
            f"describe (first paths: {', '.join(self.paths)}); they are served as stored"
        )


def batched(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Lists of ``size`` items (the last one shorter); itertools.batched needs Python 3.12."""
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
