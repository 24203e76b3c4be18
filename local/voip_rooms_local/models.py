"""The VoIP room as Rocket.Chat stores it, and the answers of GET /api/v1/voip/rooms, as pydantic models.

They describe; they do not sit on the function's path (docs/PERFORMANCE.md). The OpenAPI document is
written from them, and the local runner counts the loaded rooms whose answer they do not describe
(it serves them all the same). Every room field is optional and may be null: a stored room may lack
any of them, and ``fields`` may leave any out of an answer. The visitor's token is not described:
it is never served.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Stored(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# A stored number may be NaN (Rocket.Chat computes callWaitingTime as Number(undefined) * 1000 when
# the PBX event is missing); JSON has no NaN, so the answer carries null.
Number = float | None
# Dates are BSON dates, served as ISO 8601 UTC strings.
Date = datetime | None


class Visitor(_Stored):
    """IVisitor as embedded in a room: the visitor's token is stored here but never served."""

    id: str | None = Field(default=None, alias="_id")
    username: str | None = None
    name: str | None = None
    status: str | None = None
    phone: str | None = Field(default=None, description="the caller's number, as the PBX gave it")


class UserRef(_Stored):
    id: str | None = Field(default=None, alias="_id")
    username: str | None = None
    name: str | None = None


class ServedBy(UserRef):
    ts: Date = None


class Source(_Stored):
    type: str | None = Field(default=None, description="widget, email, sms, app, api or other")
    id: str | None = None
    alias: str | None = None
    label: str | None = None


class VoipRoom(_Stored):
    """IVoipRoom, with what it inherits from IOmnichannelGenericRoom and IRoom (Rocket.Chat 7.x).

    Typed as Rocket.Chat stores it, across the versions that wrote it: ``livechatData`` and
    ``responseBy`` hold anything (an empty string from the VoIP service), ``lastMessage`` is a whole
    message, ``open`` may be kept as false on rooms closed long ago, and fields not listed here are
    served as they are stored.
    """

    id: str | None = Field(default=None, alias="_id", description="a Meteor id, or an ObjectId's hex")
    t: Literal["v"] | None = None
    name: str | None = None
    fname: str | None = Field(default=None, description="the caller's name")
    ts: Date = Field(default=None, description="when the call came in")
    updated_at: Date = Field(default=None, alias="_updatedAt")
    v: Visitor | None = None
    u: UserRef | None = None
    served_by: ServedBy | None = Field(default=None, alias="servedBy")
    open: bool | None = Field(default=None, description="true while the call is open")
    queued_at: Date = Field(default=None, alias="queuedAt")
    closed_at: Date = Field(default=None, alias="closedAt")
    closer: Literal["user", "visitor"] | None = None
    closed_by: UserRef | None = Field(default=None, alias="closedBy")
    call_started: Date = Field(default=None, alias="callStarted")
    call_duration: Number = Field(default=None, alias="callDuration", description="milliseconds")
    call_waiting_time: Number = Field(
        default=None, alias="callWaitingTime", description="milliseconds; null when stored as NaN"
    )
    call_total_hold_time: Number = Field(default=None, alias="callTotalHoldTime", description="seconds")
    call_unique_id: str | None = Field(default=None, alias="callUniqueId", description="the PBX's call id")
    queue: str | None = None
    direction: Literal["inbound", "outbound"] | None = None
    tags: list[str] | None = None
    department_id: str | None = Field(default=None, alias="departmentId")
    department_ancestors: list[str] | None = Field(default=None, alias="departmentAncestors")
    msgs: Number = None
    users_count: Number = Field(default=None, alias="usersCount")
    lm: Date = None
    source: Source | None = None
    last_message: dict[str, Any] | None = Field(default=None, alias="lastMessage")
    closing_message: dict[str, Any] | None = Field(default=None, alias="closingMessage")
    metrics: dict[str, Any] | None = None
    livechat_data: Any = Field(default=None, alias="livechatData")
    custom_fields: Any = Field(default=None, alias="customFields")
    response_by: Any = Field(default=None, alias="responseBy")
    waiting_response: Any = Field(default=None, alias="waitingResponse")
    crm_data: Any = Field(default=None, alias="crmData")
    omnichannel: dict[str, Any] | None = None
    transcript_request: dict[str, Any] | None = Field(default=None, alias="transcriptRequest")
    on_hold: bool | None = Field(default=None, alias="onHold")
    status: str | None = None
    sys_mes: bool | list[str] | None = Field(default=None, alias="sysMes")
    cl: bool | None = None
    ro: bool | None = None


class RoomsPage(BaseModel):
    rooms: list[VoipRoom]
    count: int = Field(
        description="rooms in this page: fewer than asked for when the answer would exceed its size"
        " limit (an offset client advances by this count)"
    )
    offset: int = Field(description="the offset used")
    total: int | None = Field(
        description="rooms matching the filter, regardless of paging; null on a page read with `after`"
        " (a cursor page never counts)"
    )
    next: str | None = Field(
        description="pass it back as `after`, with the same filters and sort, for the following page;"
        " null when this page is the last"
    )
    success: Literal[True]


class NotLoggedIn(BaseModel):
    success: Literal[False]
    status: Literal["error"]
    message: str
    error: str


class InvalidRequest(BaseModel):
    success: Literal[False]
    error: str = Field(description="what was wrong, then [errorType]")
    error_type: Literal[
        "invalid-params",
        "error-invalid-sort",
        "error-invalid-fields",
        "error-room-too-large",
        "error-body-too-large",
    ] = Field(alias="errorType")
    next: str | None = Field(
        default=None,
        description="with error-room-too-large only: the cursor right after that room, to pass as `after`",
    )


class Failure(BaseModel):
    success: Literal[False]
    error: str
