"""The VoIP room as Rocket.Chat stores it: the documented fields, typed; any other field kept as is."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Stored(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Visitor(_Stored):
    id: str = Field(alias="_id")
    username: str | None = None
    token: str | None = None
    status: str | None = None
    phone: list[dict[str, str]] | None = None


class UserRef(_Stored):
    id: str = Field(alias="_id")
    username: str | None = None


class ServedBy(UserRef):
    ts: datetime | None = None


class VoipRoom(_Stored):
    id: str = Field(alias="_id")
    t: Literal["v"] = "v"
    name: str | None = None
    fname: str | None = None
    ts: datetime
    updated_at: datetime | None = Field(default=None, alias="_updatedAt")
    v: Visitor | None = None
    served_by: ServedBy | None = Field(default=None, alias="servedBy")
    open: bool | None = None
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
