"""Request parameters: the query string and the JSON body of the GET, validated into one model.

Each source is validated on its own (a query string carries text, a body carries JSON types),
then the two are merged; a parameter given in both with different values is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from voip_rooms.errors import InvalidParams
from voip_rooms.settings import SETTINGS

INVALID_SORT = "error-invalid-sort"
INVALID_FIELDS = "error-invalid-fields"
MAX_INT32 = 2**31 - 1
MAX_SORT_KEYS = 5
LIST_PARAMS = frozenset({"agents", "tags"})
QUERY_STRING = "query string"
JSON_BODY = "JSON body"

Text = Annotated[
    str, StringConstraints(min_length=1, max_length=SETTINGS.max_string_length, pattern=r"^[^\x00]*$")
]
TextList = Annotated[list[Text], Field(min_length=1, max_length=SETTINGS.max_array_length)]
PageNumber = Annotated[int, Field(ge=0, le=MAX_INT32)]


class DateRange(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime | None = None
    end: datetime | None = None


class RoomsParams(BaseModel):
    """Every parameter of GET /api/v1/voip/rooms; unset ones are None."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    agents: TextList | None = None
    open: bool | None = None
    created_at: DateRange | None = Field(default=None, alias="createdAt")
    closed_at: DateRange | None = Field(default=None, alias="closedAt")
    tags: TextList | None = None
    queue: Text | None = None
    visitor_id: Text | None = Field(default=None, alias="visitorId")
    direction: Literal["inbound", "outbound"] | None = None
    room_name: Text | None = Field(default=None, alias="roomName")
    count: PageNumber | None = None
    offset: PageNumber | None = None
    sort: tuple[tuple[str, int], ...] | None = None
    fields: tuple[tuple[str, int], ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _fold_open_spelling(cls, data: Any) -> Any:
        # The public documentation spells it "Open"; Rocket.Chat's clients send "open".
        if isinstance(data, dict) and "Open" in data:
            data = dict(data)
            documented = data.pop("Open")
            if "open" in data and _as_bool("open", data["open"]) != _as_bool("Open", documented):
                raise InvalidParams('The "open" and "Open" parameters disagree.')
            data["open"] = documented
        return data

    @field_validator("open", mode="before")
    @classmethod
    def _open_from_text(cls, value: Any) -> bool:
        return _as_bool("open", value)

    @field_validator("count", "offset", mode="before")
    @classmethod
    def _integer_from_text(cls, value: Any, info: ValidationInfo) -> Any:
        # A query string carries only text; a JSON body must send numbers as numbers.
        if isinstance(value, str) and info.context == QUERY_STRING:
            if not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_INT32)):
                raise InvalidParams(
                    f'The "{info.field_name}" parameter must be an integer from 0 to {MAX_INT32}.'
                )
            return int(value)
        return value

    @field_validator("created_at", "closed_at", mode="before")
    @classmethod
    def _date_range(cls, value: Any, info: ValidationInfo) -> DateRange:
        name = _public_name(info.field_name or "")
        bounds = _json_object(name, value, "invalid-params")
        unknown = set(bounds) - {"start", "end"}
        if unknown:
            raise InvalidParams(
                f'The "{name}" parameter accepts only "start" and "end", not "{sorted(unknown)[0]}".'
            )
        start = _as_date(f"{name}.start", bounds.get("start"))
        end = _as_date(f"{name}.end", bounds.get("end"))
        if start and end and start > end:
            raise InvalidParams(f'The "{name}.start" date must not be after "{name}.end".')
        return DateRange(start=start, end=end)

    @field_validator("sort", mode="before")
    @classmethod
    def _sort_spec(cls, value: Any) -> tuple[tuple[str, int], ...]:
        spec = _json_object("sort", value, INVALID_SORT)
        if len(spec) > MAX_SORT_KEYS:
            raise InvalidParams(f'The "sort" parameter accepts at most {MAX_SORT_KEYS} fields.', INVALID_SORT)
        for key, direction in spec.items():
            _check_field_path("sort", key, INVALID_SORT)
            if type(direction) is not int or direction not in (1, -1):
                raise InvalidParams(f'The "sort" value of "{key}" must be 1 or -1.', INVALID_SORT)
        return tuple(spec.items())

    @field_validator("fields", mode="before")
    @classmethod
    def _projection_spec(cls, value: Any) -> tuple[tuple[str, int], ...]:
        spec = _json_object("fields", value, INVALID_FIELDS)
        for key, flag in spec.items():
            _check_field_path("fields", key, INVALID_FIELDS)
            if type(flag) is not int or flag not in (0, 1):
                raise InvalidParams(f'The "fields" value of "{key}" must be 0 or 1.', INVALID_FIELDS)
        if len({flag for key, flag in spec.items() if key != "_id"} | _id_flag_as_mode(spec)) > 1:
            raise InvalidParams(
                'The "fields" parameter cannot mix included (1) and excluded (0) fields.', INVALID_FIELDS
            )
        for path in spec:
            parts = path.split(".")
            parent = next(
                (".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in spec), None
            )
            if parent is not None:
                raise InvalidParams(f'The "fields" paths "{parent}" and "{path}" overlap.', INVALID_FIELDS)
        return tuple(spec.items())


def parse_rooms_params(query: Mapping[str, Sequence[str]] | None, body: str | None) -> RoomsParams:
    """Validate both sources and merge them; raises InvalidParams with the contract's message."""
    from_query = _validated(_query_fields(query or {}), QUERY_STRING)
    from_body = _validated(_body_fields(body), JSON_BODY)
    merged: dict[str, Any] = {}
    for source in (from_query, from_body):
        for name in source.model_fields_set:
            value = getattr(source, name)
            if name in merged and merged[name] != value:
                raise InvalidParams(
                    f'The "{_public_name(name)}" parameter is given twice with different values.'
                )
            merged[name] = value
    return from_query.model_copy(update=merged)


def _validated(raw: dict[str, Any], source: str) -> RoomsParams:
    try:
        return RoomsParams.model_validate(raw, context=source)
    except ValidationError as error:
        raise InvalidParams(_describe(error.errors()[0])) from None


def _describe(error: Any) -> str:
    location = [str(part) for part in error["loc"]]
    name = _public_name(location[0]) + "".join(f"[{part}]" for part in location[1:])
    if error["type"] == "extra_forbidden":
        return f'Unknown parameter "{name}".'
    return f'Invalid "{name}" parameter: {error["msg"]}.'


def _query_fields(query: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, values in query.items():
        name = key[:-2] if key.endswith("[]") and key[:-2] in LIST_PARAMS else key
        if not name.replace("_", "").isalnum():
            raise InvalidParams(f'Unknown parameter "{key}".')
        if name in LIST_PARAMS:
            fields.setdefault(name, []).extend(values)
        elif len(values) != 1:
            raise InvalidParams(f'The "{name}" parameter must be given once.')
        else:
            fields[name] = values[0]
    return fields


def _body_fields(body: str | None) -> dict[str, Any]:
    if body is None or not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        raise InvalidParams("The request body must be a JSON object.") from None
    if not isinstance(parsed, dict):
        raise InvalidParams("The request body must be a JSON object.")
    return parsed


def _public_name(field_name: str) -> str:
    field = RoomsParams.model_fields.get(field_name)
    return (field.alias if field and field.alias else None) or field_name


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise InvalidParams(f'The "{name}" parameter must be true or false.')


def _json_object(name: str, value: Any, error_type: str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidParams(f'The "{name}" parameter must be a JSON object.', error_type) from None
    if not isinstance(value, dict):
        raise InvalidParams(f'The "{name}" parameter must be a JSON object.', error_type)
    return value


def _check_field_path(name: str, path: str, error_type: str) -> None:
    parts = path.split(".")
    if len(path) > SETTINGS.max_string_length or any(
        not p or p.startswith("$") or "\x00" in p for p in parts
    ):
        raise InvalidParams(f'The "{name}" parameter has an invalid field name "{path[:64]}".', error_type)


def _id_flag_as_mode(spec: Mapping[str, int]) -> set[int]:
    # "_id: 0" may accompany included fields; "_id: 1" among excluded ones is a mix.
    return {1} if spec.get("_id") == 1 and len(spec) > 1 else set()


def _as_date(name: str, value: Any) -> datetime | None:
    if value is None:
        return None
    message = f'The "{name}" query parameter must be a valid date.'
    if not isinstance(value, str) or not value or len(value) > 64:
        raise InvalidParams(message)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidParams(message) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
