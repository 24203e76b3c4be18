"""Request parameters: the query string and the JSON body of the GET, validated into one value.

Each source is validated on its own (a query string carries text, a body carries JSON types),
then the two are merged; a parameter given in both with different values is refused.

Validation is plain Python rather than a pydantic model: on a Lambda cold start pydantic's import
and schema build cost about a third of the whole floor (docs/PERFORMANCE.md), and every rule
here needs a custom check and a contract-specific message anyway.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from voip_rooms.cursor import decode_cursor
from voip_rooms.errors import InvalidParams, PayloadTooLarge
from voip_rooms.keyset import listing_order
from voip_rooms.room_fields import orders_by_hidden
from voip_rooms.settings import SETTINGS

INVALID_SORT = "error-invalid-sort"
INVALID_FIELDS = "error-invalid-fields"
MAX_INT32 = 2**31 - 1
MAX_SORT_KEYS = 5
LIST_PARAMS = frozenset({"agents", "tags"})
# The public documentation spells it "Open"; Rocket.Chat's clients send "open".
DOCUMENTED_OPEN = "Open"
DIRECTIONS = ("inbound", "outbound")
# Rocket.Chat tests each filter for truthiness, and its own web client (the Calls directory) sends
# empty ones: an empty filter, an empty list item, and a visitorId its client left undefined, filter nothing.
EMPTY = ""
UNDEFINED_VISITOR = "undefined"
FieldSpec = tuple[tuple[str, int], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime | None = None
    end: datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RoomsParams:
    """Every parameter of GET /api/v1/voip/rooms; None when not given."""

    agents: tuple[str, ...] | None = None
    open: bool | None = None
    created_at: DateRange | None = None
    closed_at: DateRange | None = None
    tags: tuple[str, ...] | None = None
    queue: str | None = None
    visitor_id: str | None = None
    direction: str | None = None
    room_name: str | None = None
    count: int | None = None
    offset: int | None = None
    sort: FieldSpec | None = None
    fields: FieldSpec | None = None
    # A cursor's sort values (``_id`` last), decoded and checked against ``sort``.
    after: tuple[Any, ...] | None = None


def parse_rooms_params(query: Mapping[str, Sequence[str]] | None, body: str | None) -> RoomsParams:
    """Validate both sources and merge them; raises InvalidParams with the contract's message."""
    merged: dict[str, Any] = {}
    for source in (_validated(_query_fields(query or {}), from_text=True), _validated(_body_fields(body))):
        for name, value in source.items():
            if name in merged and merged[name] != value:
                raise InvalidParams(
                    f'The "{PUBLIC_NAMES[name]}" parameter is given twice with different values.'
                )
            merged[name] = value
    if "after" in merged:
        merged["after"] = _cursor_values(merged["after"], merged.get("sort"), merged.get("offset"))
    return RoomsParams(**merged)


def within_body_limit(body: str | None) -> str | None:
    """The body, when it is within MAX_BODY_BYTES; else PayloadTooLarge (before anything is parsed)."""
    # Characters first: a multi-megabyte body is refused without encoding it. surrogatepass: a direct
    # invoker's JSON can carry lone surrogates, which the parser refuses later.
    limit = SETTINGS.max_body_bytes
    if body is not None and (len(body) > limit or len(body.encode(errors="surrogatepass")) > limit):
        raise PayloadTooLarge
    return body


def _cursor_values(cursor: str, sort: FieldSpec | None, offset: int | None) -> tuple[Any, ...]:
    if offset:
        raise InvalidParams('The "after" parameter cannot be combined with a non-zero "offset".')
    return decode_cursor(cursor, listing_order(sort))


def _validated(raw: dict[str, Any], *, from_text: bool = False) -> dict[str, Any]:
    if DOCUMENTED_OPEN in raw:
        documented = _as_bool(DOCUMENTED_OPEN, raw.pop(DOCUMENTED_OPEN))
        if "open" in raw and _as_bool("open", raw["open"]) != documented:
            raise InvalidParams('The "open" and "Open" parameters disagree.')
        raw["open"] = documented
    values: dict[str, Any] = {}
    for public_name, value in raw.items():
        field = FIELD_NAMES.get(public_name)
        if field is None:
            raise InvalidParams(f'Unknown parameter "{public_name}".')
        validated = VALIDATORS[field](public_name, value, from_text)
        if validated is not None:  # None: an empty filter, the same as not given
            values[field] = validated
    return values


def _query_fields(query: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, values in query.items():
        name = key[:-2] if key.endswith("[]") and key[:-2] in LIST_PARAMS else key
        if name not in FIELD_NAMES and name != DOCUMENTED_OPEN:
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
        parsed = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise InvalidParams("The request body must be a JSON object.") from None
    if not isinstance(parsed, dict):
        raise InvalidParams("The request body must be a JSON object.")
    return parsed


def _refuse_constant(_: str) -> Any:
    raise ValueError  # NaN and Infinity are not JSON; the caller's refusal says so


# Field validators: (public name, raw value, whether it came from the query string) -> value.
# Only page numbers read that flag; the others take it as `*_` (and may be called without it).


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidParams(f'Invalid "{name}" parameter: Input should be a valid string.')
    if not value or len(value) > SETTINGS.max_string_length or not _storable(value):
        limit = SETTINGS.max_string_length
        raise InvalidParams(
            f'Invalid "{name}" parameter: expected 1 to {limit} characters, no NUL or lone surrogate.'
        )
    return value


def _cursor_text(name: str, value: Any, *_: bool) -> str:
    # Not held to the text limit: a cursor carries up to six sort values. Decoded (its own length
    # limit included) once "sort" is known.
    if not isinstance(value, str) or not value:
        raise InvalidParams(f'Invalid "{name}" parameter: expected a cursor from "next".')
    return value


def _filter_text(name: str, value: Any, *_: bool) -> str | None:
    return None if value == EMPTY else _text(name, value)


def _visitor_id(name: str, value: Any, *_: bool) -> str | None:
    return None if value == UNDEFINED_VISITOR else _filter_text(name, value)


def _text_list(name: str, value: Any, *_: bool) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        raise InvalidParams(f'Invalid "{name}" parameter: Input should be a valid list.')
    if len(value) > SETTINGS.max_array_length:
        raise InvalidParams(
            f'Invalid "{name}" parameter: at most {SETTINGS.max_array_length} items are expected.'
        )
    items = tuple(_text(f"{name}[{position}]", item) for position, item in enumerate(value) if item != EMPTY)
    return items or None


def _as_bool(name: str, value: Any, *_: bool) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise InvalidParams(f'The "{name}" parameter must be true or false.')


def _direction(name: str, value: Any, *_: bool) -> str | None:
    if value == EMPTY:
        return None
    if value not in DIRECTIONS:
        raise InvalidParams(f"Invalid \"{name}\" parameter: Input should be 'inbound' or 'outbound'.")
    return str(value)


def _page_number(name: str, value: Any, from_text: bool) -> int:
    # A query string carries only text; a JSON body must send numbers as numbers.
    message = f'The "{name}" parameter must be an integer from 0 to {MAX_INT32}.'
    if from_text:
        if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 10:
            raise InvalidParams(message)
        value = int(value)
    if type(value) is not int or not 0 <= value <= MAX_INT32:
        raise InvalidParams(message)
    return value


def _date_range(name: str, value: Any, *_: bool) -> DateRange:
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


def _sort_spec(name: str, value: Any, *_: bool) -> FieldSpec:
    spec = _json_object(name, value, INVALID_SORT)
    if len(spec) > MAX_SORT_KEYS:
        raise InvalidParams(f'The "sort" parameter accepts at most {MAX_SORT_KEYS} fields.', INVALID_SORT)
    for key, direction in spec.items():
        _check_field_path("sort", key, INVALID_SORT)
        if orders_by_hidden(key):
            # Its order would disclose what is never returned, and a cursor would carry the value.
            raise InvalidParams(
                f'The "sort" parameter cannot order by "{key}": it holds a field that is never returned.',
                INVALID_SORT,
            )
        if type(direction) is not int or direction not in (1, -1):
            raise InvalidParams(f'The "sort" value of "{key}" must be 1 or -1.', INVALID_SORT)
    return tuple(spec.items())


def _projection_spec(name: str, value: Any, *_: bool) -> FieldSpec:
    spec = _json_object(name, value, INVALID_FIELDS)
    for key, flag in spec.items():
        _check_field_path("fields", key, INVALID_FIELDS)
        if type(flag) is not int or flag not in (0, 1):
            raise InvalidParams(f'The "fields" value of "{key}" must be 0 or 1.', INVALID_FIELDS)
    # "_id: 0" may accompany included fields; "_id: 1" among excluded ones is a mix.
    modes = {flag for key, flag in spec.items() if key != "_id"} | ({1} if spec.get("_id") == 1 else set())
    if len(modes) > 1:
        raise InvalidParams(
            'The "fields" parameter cannot mix included (1) and excluded (0) fields.', INVALID_FIELDS
        )
    _refuse_overlapping_paths(spec)
    return tuple(spec.items())


def _refuse_overlapping_paths(spec: dict[str, Any]) -> None:
    """A path given with a path above it ({"v": 1, "v.token": 1}) is refused: MongoDB would fail the
    query. Each path's own parents are looked up, so the work grows with the body, not its square."""
    position = {path: index for index, path in enumerate(spec)}
    for path in spec:
        if "." not in path:
            continue  # nothing lies above it
        parents = [path[:index] for index, char in enumerate(path) if char == "."]
        given = [parent for parent in parents if parent in position]
        if given:
            parent = min(given, key=position.__getitem__)  # the first given, as the caller wrote them
            raise InvalidParams(f'The "fields" paths "{parent}" and "{path}" overlap.', INVALID_FIELDS)


def _json_object(name: str, value: Any, error_type: str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise InvalidParams(f'The "{name}" parameter must be a JSON object.', error_type) from None
    if not isinstance(value, dict):
        raise InvalidParams(f'The "{name}" parameter must be a JSON object.', error_type)
    return value


def _check_field_path(name: str, path: str, error_type: str) -> None:
    # A part empty ("", ".a", "a.", "a..b") or an operator ("$a", "a.$b"), read off the whole path: a
    # body may hold a thousand of them.
    bad_part = not path or path[0] in ".$" or path[-1] == "." or ".." in path or ".$" in path
    if bad_part or len(path) > SETTINGS.max_string_length or not _storable(path):
        raise InvalidParams(f'The "{name}" parameter has an invalid field name "{path[:64]}".', error_type)


def _as_date(name: str, value: Any) -> datetime | None:
    if value is None:
        return None
    message = f'The "{name}" query parameter must be a valid date.'
    if not isinstance(value, str) or not value or len(value) > 64:
        raise InvalidParams(message)
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: an offset pushing it past year 1 or 9999
        raise InvalidParams(message) from None
    return parsed


def _storable(text: str) -> bool:
    """Text MongoDB can take: no NUL, and no lone surrogate ("\\ud800" in JSON), which BSON cannot encode."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


# Public parameter name -> (RoomsParams field, validator).
_PARAMETERS: dict[str, tuple[str, Callable[[str, Any, bool], Any]]] = {
    "agents": ("agents", _text_list),
    "open": ("open", _as_bool),
    "createdAt": ("created_at", _date_range),
    "closedAt": ("closed_at", _date_range),
    "tags": ("tags", _text_list),
    "queue": ("queue", _filter_text),
    "visitorId": ("visitor_id", _visitor_id),
    "direction": ("direction", _direction),
    "roomName": ("room_name", _filter_text),
    "count": ("count", _page_number),
    "offset": ("offset", _page_number),
    "sort": ("sort", _sort_spec),
    "fields": ("fields", _projection_spec),
    "after": ("after", _cursor_text),
}
FIELD_NAMES = {public: field for public, (field, _) in _PARAMETERS.items()}
PUBLIC_NAMES = {field: public for public, field in FIELD_NAMES.items()}
VALIDATORS = dict(_PARAMETERS.values())
