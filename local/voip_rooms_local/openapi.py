"""The OpenAPI 3.1 document of GET /api/v1/voip/rooms, written by Powertools' event handler.

A documentation resolver: its route's signature declares every query parameter with its
constraints, its responses every answer with its schema, and the two credential headers are its
security schemes; Powertools and pydantic write the document from them. The same resolver serves
the Swagger UI at /api/v1/voip/rooms/docs (Powertools' enable_swagger, its assets inlined from the
package: no network), where "Authorize" takes a user's id and token for "Try it out".
The function itself validates in plain Python (docs/PERFORMANCE.md) and never imports this
module; tests keep both in step (the committed openapi.json, and schema fuzzing).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, SecurityScheme, Server
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import StringConstraints

from voip_rooms.cursor import MAX_LENGTH as MAX_CURSOR_LENGTH
from voip_rooms.handler import DOCS_PATH, ROOMS_PATH
from voip_rooms.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from voip_rooms.params import MAX_INT32
from voip_rooms.settings import SETTINGS
from voip_rooms_local.models import Failure, InvalidRequest, NotLoggedIn, RoomsPage

# Empty means "no filter" (Rocket.Chat's own client sends empty filters), so no minimum length.
Text = Annotated[str, StringConstraints(max_length=SETTINGS.max_string_length)]
DATE_RANGE = 'JSON text {"start": ISO 8601, "end": ISO 8601}, either bound optional, both inclusive'
SORT = (
    'JSON text, field -> 1 or -1 (at most 5, no never-returned field or parent of one); default {"ts": -1}; '
    "_id is always added last"
)
FIELDS = (
    "JSON text, field -> 1 (include) or 0 (exclude); joinCode, members, importIds, e2e, v.token and "
    "lastMessage.token never returned"
)
DESCRIPTION = (
    'Lists VoIP rooms (t: "v") of a Rocket.Chat database. Filters come in the query string or as a JSON '
    "object in the body of the GET (the same names; `open` may be spelled `Open`; `agents[]` and `tags[]` "
    "are accepted too). An empty filter (`roomName=`, `queue=`, `visitorId=`, `direction=`, an empty "
    "`agents[]=` or `tags[]=` item) and `visitorId=undefined` filter nothing, as in Rocket.Chat. "
    "Authentication comes first (401), then the parameters (400), then the permission "
    "(403): `view-livechat-rooms` lists any rooms; `view-l-room` only the caller's own, named as the single "
    "`agents` value."
)

SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    scheme: APIKey.model_validate({"in": APIKeyIn.header, "name": header, "description": description})
    for scheme, header, description in (
        ("userId", "X-User-Id", "The user's _id"),
        ("authToken", "X-Auth-Token", "A login or personal access token"),
    )
}
DOCUMENT: dict[str, Any] = {
    "title": "Rocket.Chat VoIP rooms (serverless)",
    "version": "1.0.0",
    "openapi_version": "3.1.0",
    "summary": "GET /api/v1/voip/rooms, Rocket.Chat-compatible, on AWS Lambda",
    "security_schemes": SECURITY_SCHEMES,
    # Both headers, together, on every request.
    "security": [{"userId": [], "authToken": []}],
}


def _answer(description: str, model: type[Any]) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": model}}}


class _Documentation(APIGatewayRestResolver):
    """Powertools' resolver, without the 422 it documents for its own request validation, which this
    function does not use (parameter errors are the contract's 400): one place, so that the committed
    document and the one the Swagger UI serves are the same."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema: Any = super().get_openapi_schema(**kwargs)  # this route: paths, a GET, components
        for path_item in schema.paths.values():
            path_item.get.responses.pop(422, None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.components.schemas.pop(name, None)
        return schema


documentation = _Documentation(enable_validation=True)


@documentation.get(
    ROOMS_PATH,
    summary="Get Call Center Rooms",
    description=DESCRIPTION,
    operation_id="getVoipRooms",
    tags=["voip"],
    responses={
        200: _answer("One page of rooms, newest first unless sorted otherwise", RoomsPage),
        400: _answer("A parameter the contract refuses, named in the message", InvalidRequest),
        401: _answer("Missing, unknown, expired or inactive credentials", NotLoggedIn),
        403: _answer("The caller's roles do not allow this listing", Failure),
        413: _answer(f"A request body above {SETTINGS.max_body_bytes} bytes", InvalidRequest),
        500: _answer("Anything unexpected (logged with the request id)", Failure),
        503: _answer("The database is unreachable or did not answer in time", Failure),
    },
)
def get_rooms(  # noqa: PLR0917 - one parameter per documented query parameter
    agents: Annotated[
        list[Text] | None,
        Query(
            max_length=SETTINGS.max_array_length, description="Served by one of these agents (servedBy._id)"
        ),
    ] = None,
    open: Annotated[
        bool | None, Query(description="true: open calls; false: closed calls; absent: both")
    ] = None,
    created_at: Annotated[str | None, Query(alias="createdAt", description=f"ts within {DATE_RANGE}")] = None,
    closed_at: Annotated[
        str | None, Query(alias="closedAt", description=f"closedAt within {DATE_RANGE}")
    ] = None,
    tags: Annotated[
        list[Text] | None, Query(max_length=SETTINGS.max_array_length, description="Has any of these tags")
    ] = None,
    queue: Annotated[Text | None, Query(description="The call's queue")] = None,
    visitor_id: Annotated[Text | None, Query(alias="visitorId", description="The visitor's _id")] = None,
    direction: Annotated[
        Literal["inbound", "outbound", ""] | None, Query(description="Empty: both directions")
    ] = None,
    room_name: Annotated[
        Text | None, Query(alias="roomName", description="Case-insensitive part of the name")
    ] = None,
    count: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_INT32,
            description=(
                f"Page size: default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}; 0 means the default"
            ),
        ),
    ] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_INT32, description="Rows to skip")] = None,
    sort: Annotated[str | None, Query(description=SORT)] = None,
    fields: Annotated[str | None, Query(description=FIELDS)] = None,
    after: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_CURSOR_LENGTH,
            pattern="^[A-Za-z0-9_-]+$",
            description=(
                "Cursor: the `next` of the previous page, with the same filters and sort, for the page "
                "after it (keyset paging; `offset` must be absent or 0; `total` is null)"
            ),
        ),
    ] = None,
) -> RoomsPage:
    raise NotImplementedError("documentation only: lambda_handler answers this route")


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(documentation.get_openapi_json_schema(**DOCUMENT))
    return document


def openapi_json() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


# The local server's own origin: Powertools would otherwise prefix the emulated stage (/prod).
documentation.enable_swagger(path=DOCS_PATH, servers=[Server(url="/")], **DOCUMENT)
