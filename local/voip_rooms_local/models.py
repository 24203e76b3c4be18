"""The VoIP room as Rocket.Chat stores it, and the answers of GET /api/v1/voip/rooms, as pydantic models.

They describe; they do not sit on the function's path (docs/PERFORMANCE.md). The local runner checks
loaded rooms against VoipRoom, and the OpenAPI document is written from all of them. Every room field
is optional: a stored room may lack any of them, and ``fields`` may leave any out of an answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Stored(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Visitor(_Stored):
    id: str | None = Field(default=None, alias="_id")
    username: str | None = None
    token: str | None = None
    status: str | None = None
    phone: list[dict[str, str]] | None = None


class UserRef(_Stored):
    id: str | None = Field(default=None, alias="_id")
    username: str | None = None


class ServedBy(UserRef):
    ts: datetime | None = None


class VoipRoom(_Stored):
    id: str | None = Field(default=None, alias="_id")
    t: Literal["v"] | None = None
    name: str | None = Field(default=None, description="<fname>-<callUniqueId>")
    fname: str | None = None
    ts: datetime | None = Field(default=None, description="when the call came in")
    updated_at: datetime | None = Field(default=None, alias="_updatedAt")
    v: Visitor | None = None
    served_by: ServedBy | None = Field(default=None, alias="servedBy")
    open: bool | None = Field(default=None, description="true while the call is open; absent once closed")
    closed_at: datetime | None = Field(default=None, alias="closedAt")
    closer: str | None = None
    closed_by: UserRef | None = Field(default=None, alias="closedBy")
    call_started: datetime | None = Field(default=None, alias="callStarted")
    call_duration: int | None = Field(default=None, alias="callDuration", description="milliseconds")
    call_waiting_time: int | None = Field(default=None, alias="callWaitingTime", description="milliseconds")
    call_total_hold_time: int | None = Field(default=None, alias="callTotalHoldTime", description="seconds")
    queue: str | None = None
    direction: Literal["inbound", "outbound"] | None = None
    tags: list[str] | None = None
    department_id: str | None = Field(default=None, alias="departmentId")
    msgs: int | None = None
    users_count: int | None = Field(default=None, alias="usersCount")
    lm: datetime | None = None


class RoomsPage(BaseModel):
    rooms: list[VoipRoom]
    count: int = Field(description="rooms in this page")
    offset: int = Field(description="the offset used")
    total: int = Field(description="rooms matching the filter, regardless of paging")
    success: Literal[True]


class NotLoggedIn(BaseModel):
    success: Literal[False]
    status: Literal["error"]
    message: str
    error: str


class InvalidRequest(BaseModel):
    success: Literal[False]
    error: str = Field(description="what was wrong, then [errorType]")
    error_type: Literal["invalid-params", "error-invalid-sort", "error-invalid-fields"] = Field(
        alias="errorType"
    )


class Failure(BaseModel):
    success: Literal[False]
    error: str
