"""One page of rooms for one caller, whichever way the caller came in.

The HTTP route and integration events share this path: the caller identified, the parameters
validated, the caller authorized, the page read, and the page fitted to the answer's size limit, all
under one database deadline. Only how the caller is identified and where the parameters come from
differ; each entry hands those in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pymongo
from aws_lambda_powertools.logging import Logger

from voip_rooms import database, request_log
from voip_rooms.auth import Caller
from voip_rooms.errors import DatabaseCredentialsRejected, DatabaseUnavailable
from voip_rooms.paging import page_size
from voip_rooms.params import RoomsParams
from voip_rooms.permissions import PermissionCache, authorize
from voip_rooms.response_size import fitted_json
from voip_rooms.rooms import RoomsPage, list_rooms
from voip_rooms.settings import SETTINGS
from voip_rooms.store import RocketChatStore

logger = Logger(service="voip-rooms", child=True)
permission_cache = PermissionCache(SETTINGS.permissions_cache_ttl_seconds)
# Who is asking, read from the database (raises AuthenticationFailed); the parameters, validated
# (raises InvalidParams or PayloadTooLarge).
Identify = Callable[[RocketChatStore], Caller]
ReadParameters = Callable[[], RoomsParams]
# Why a batch's event was not listed: the earlier events spent the database budget they share.
BUDGET_SPENT = "BatchTimeBudgetSpent"


def page_json(
    identify: Identify, read_parameters: ReadParameters, size_limit: int, deadline: float | None = None
) -> str:
    """The JSON text of the caller's page, ended early if needed to fit in ``size_limit`` bytes.

    One deadline (on ``database.clock``) for all of this request's commands and secret reads, a
    rotation's second attempt included, under the function's own timeout: by default the database
    budget from now; the events of one batch share the batch's.
    """
    budget = SETTINGS.mongodb_timeout_ms / 1000
    if deadline is None:
        deadline = database.clock() + budget
    else:
        budget = deadline - database.clock()
        if budget <= 0:
            raise DatabaseUnavailable(BUDGET_SPENT)
    with pymongo.timeout(budget):
        try:
            page = _listing(identify, read_parameters, _store(deadline))
        except DatabaseCredentialsRejected:
            # The secret may have been rotated since this container read it: read it again, once.
            if database.reconnect_with_fresh_secret(SETTINGS, deadline) is None:
                raise
            logger.warning("database credentials rejected: connecting with the secret read again")
            page = _listing(identify, read_parameters, _store(deadline))
    text, answered = fitted_json(page, size_limit)
    if answered is not page.envelope:
        request_log.answered(answered)  # the rooms returned: fewer than the page read
    return text


def _listing(identify: Identify, read_parameters: ReadParameters, store: RocketChatStore) -> RoomsPage:
    # The contract's order: 401 (identity), then 400 (parameters), then 403 (permission).
    caller = identify(store)
    request_log.authenticated(caller.user_id)
    params = read_parameters()
    request_log.parameters(params)
    authorize(caller, params.agents, permission_cache.roles(store))
    page = list_rooms(store, params)
    request_log.page(page.envelope, page_size(params.count))
    return page


def _store(deadline: float) -> RocketChatStore:
    """The data seam over the container's database, made once per database."""
    global _store_instance  # noqa: PLW0603 - per container, like the client
    current = database.get_database(SETTINGS, deadline)
    if _store_instance is None or _store_instance[0] is not current:
        _store_instance = (current, RocketChatStore(current, SETTINGS.mongodb_read_preference))
    return _store_instance[1]


_store_instance: tuple[Any, RocketChatStore] | None = None
