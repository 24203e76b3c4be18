"""`make e2e`: the Calls page of `voip-rooms serve` in a real, headless Chromium (Debian's, no download).

Each test drives the page as a person would (the form's fields, the column headers, the buttons, the keyboard)
and compares what it shows with what the API itself answers for the same request. The server holds the demo
data and the three documents of tests/e2e/dataset.py. The browser's time zone is Asia/Kolkata (UTC+05:30), so
that a date handled as UTC, or a day boundary in the wrong zone, shows. Screenshots land in e2e-artifacts/.

Runs under pytest in its own environment (.venv-e2e: Playwright and pytest) against the project's
.venv/bin/voip-rooms; the accessibility scan injects axe-core from .venv-e2e/node_modules (npm).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Download,
    Locator,
    Page,
    Route,
    expect,
    sync_playwright,
)

from tests.e2e.dataset import (
    BIDI_NAME,
    BIDI_ROOM_ID,
    EXPIRED_TOKEN,
    EXPIRED_USER_ID,
    FORMULA_NAME,
    FORMULA_ROOM_ID,
    MARKUP_NAME,
    MARKUP_ROOM_ID,
)
from tests.e2e.local_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, served

TIME_ZONE = "Asia/Kolkata"
AXE = ROOT / ".venv-e2e" / "node_modules" / "axe-core" / "axe.min.js"
ADMIN = ("demo-admin", "demo-admin-token")
AGENT = ("demo-agent-1", "demo-agent-1-token")
BOT = ("demo-bot", "demo-bot-pat")  # a personal access token, what the sign-in form asks for
PLAIN_USER = ("demo-user", "demo-user-token")  # no omnichannel role
DEFAULT_SORT = {"ts": -1}
TIMEOUT_MS = 30_000
DASH = "\N{EN DASH}"  # between the first and last row of a range
Room = dict[str, Any]


# --- the server, the API as the tests read it, the browser ---


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("calls-page-data")
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "tests.e2e.dataset", str(data)], cwd=ROOT, check=True
    )
    with served("--data", str(data)) as url:
        yield url


def api(base: str, params: dict[str, Any], user: tuple[str, str] = ADMIN) -> dict[str, Any]:
    """One answer of the API, read as any client would."""
    query = urllib.parse.urlencode(
        {name: json.dumps(value) if isinstance(value, dict) else value for name, value in params.items()},
        doseq=True,
    )
    request = urllib.request.Request(
        f"{base}/api/v1/voip/rooms?{query}", headers={"X-User-Id": user[0], "X-Auth-Token": user[1]}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def api_walk(base: str, params: dict[str, Any]) -> list[Room]:
    """Every matching room, walked with the cursor as the API documents it."""
    rooms: list[Room] = []
    after = None
    while True:
        page = api(base, {**params, "count": 100, **({"after": after} if after else {})})
        rooms += page["rooms"]
        after = page["next"]
        if not after:
            return rooms


def ids(rooms: list[Room]) -> list[str]:
    return [str(room["_id"]) for room in rooms]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def _context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(
        **{"viewport": {"width": 1280, "height": 800}, "timezone_id": TIME_ZONE, "locale": "en-US"} | options
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = _context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab in which no script failed, no alert opened, and the policy refused nothing the page does."""
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def dialog_opened(dialog: Dialog) -> None:
        problems.append(f"dialog opened: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", dialog_opened)
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text or "Trusted Type" in message.text
            else None
        ),
    )
    yield tab
    assert problems == []


def rocket_chat_session(context: BrowserContext, user: tuple[str, str]) -> None:
    """What Rocket.Chat's web client leaves in local storage on its own origin."""
    context.add_init_script(
        f"localStorage.setItem('Meteor.userId', {json.dumps(user[0])});"
        f"localStorage.setItem('Meteor.loginToken', {json.dumps(user[1])});"
    )


def open_page(page: Page, base: str, search: str = "") -> None:
    page.goto(f"{base}/voip-calls{search}")
    settled(page)


def settled(page: Page) -> None:
    """The page's request is answered and shown (rows, or a message)."""
    expect(page.locator("#loading-page")).to_be_hidden()
    expect(page.locator("#calls-region")).not_to_have_attribute("aria-busy", "true")


def sign_in_with_form(page: Page, user: tuple[str, str]) -> None:
    page.get_by_label("User ID").fill(user[0])
    page.get_by_label("Personal access token").fill(user[1])
    page.get_by_role("button", name="Sign in").click()
    settled(page)


def pager(page: Page) -> Locator:
    """The pager above the table (the one below it is alike)."""
    return page.get_by_role("navigation", name="Pages", exact=True)


def expect_page_label(page: Page, text: str) -> None:
    """Both pagers, above and below the table, say which page this is."""
    expect(page.locator(".page-label")).to_have_text([text, text])


def shown_ids(page: Page) -> list[str]:
    found: list[str] = page.locator("#rows tr[data-room-id]").evaluate_all(
        "rows => rows.map(row => row.dataset.roomId)"
    )
    return found


def search_params(page: Page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"calls-{name}.png")


def day_bounds(first: str, last: str) -> dict[str, str]:
    """Whole days in the browser's time zone, as the instants the API takes."""

    def instant(day: str, hour: int, minute: int, second: int, microsecond: int) -> str:
        year, month, date = map(int, day.split("-"))
        local = datetime(year, month, date, hour, minute, second, microsecond, tzinfo=ZoneInfo(TIME_ZONE))
        return local.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    return {"start": instant(first, 0, 0, 0, 0), "end": instant(last, 23, 59, 59, 999_000)}


# Requests of the page to the API, for route interception.
def the_api(url: str) -> bool:
    return "/api/v1/voip/rooms?" in url


def a_later_page(url: str) -> bool:
    return the_api(url) and "after=" in url


def holding(held: list[Route]) -> Callable[[Route], None]:
    """A route handler that keeps each request unanswered in held, until the test answers it."""

    def hold(route: Route) -> None:
        held.append(route)

    return hold


@contextlib.contextmanager
def one_request_held(page: Page, matches: Callable[[str], bool]) -> Iterator[None]:
    """The block sends one matching request, held unanswered to the block's end; then the API answers it."""
    held: list[Route] = []
    page.route(matches, holding(held))
    with page.expect_request(lambda request: matches(request.url)):
        yield
    (route,) = held
    route.continue_()
    page.unroute(matches)
    settled(page)


# --- signing in ---


def test_on_rocket_chat_s_origin_the_page_signs_in_with_the_rocket_chat_session(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)

    expect(page.locator("#account-name")).to_have_text("Signed in as demo-admin (Rocket.Chat session)")
    expected = api(base, {"sort": DEFAULT_SORT, "count": 50})
    assert shown_ids(page) == ids(expected["rooms"])
    expect(page.locator("#summary")).to_have_text(f"Calls 1{DASH}50 of {expected['total']}")
    pages = -(-expected["total"] // 50)
    expect_page_label(page, f"Page 1 of {pages}")
    screenshot(page, "table")


def test_elsewhere_the_form_signs_in_for_this_tab_only_and_sign_out_forgets_it(
    base: str, browser: Browser, page: Page
) -> None:
    open_page(page, base)
    expect(page.locator("#sign-in")).to_be_visible()
    screenshot(page, "sign-in")

    sign_in_with_form(page, BOT)

    expect(page.locator("#account-name")).to_have_text("Signed in as demo-bot (personal access token)")
    assert shown_ids(page) == ids(api(base, {"sort": DEFAULT_SORT, "count": 50})["rooms"])
    # The token lives in this tab's session storage only: nothing in local storage, nothing in the URL.
    assert page.evaluate("Object.keys(localStorage)") == []
    assert BOT[1] in page.evaluate("JSON.stringify(sessionStorage)")
    assert BOT[1] not in page.url
    page.reload()
    settled(page)
    expect(page.locator("#calls")).to_be_visible()
    # Another browser session (a new window after closing this one) has to sign in again.
    other = _context(browser)
    try:
        fresh = other.new_page()
        open_page(fresh, base)
        expect(fresh.locator("#sign-in")).to_be_visible()
    finally:
        other.close()

    page.get_by_role("button", name="Sign out").click()

    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#sign-in-message")).to_have_text("You have signed out of this page.")
    assert BOT[1] not in page.evaluate("JSON.stringify(sessionStorage)")
    page.reload()
    expect(page.locator("#sign-in")).to_be_visible()


def test_an_expired_rocket_chat_session_shows_the_sign_in_with_what_to_do(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, (EXPIRED_USER_ID, EXPIRED_TOKEN))
    open_page(page, base)

    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#calls")).to_be_hidden()
    expect(page.locator("#sign-in-message")).to_have_text(
        "Your Rocket.Chat session has expired or was signed out. Sign in to Rocket.Chat again and reload "
        "this page, or sign in here with a personal access token."
    )
    screenshot(page, "expired-session")
    # A personal access token then works in this tab, ahead of the expired session.
    sign_in_with_form(page, BOT)
    expect(page.locator("#calls")).to_be_visible()


def test_a_refused_token_from_the_form_is_forgotten_and_the_sign_in_says_so(base: str, page: Page) -> None:
    open_page(page, base)
    sign_in_with_form(page, ("demo-bot", "not-the-token"))

    expect(page.locator("#sign-in-message")).to_have_text(
        "Your session has expired or its token is no longer valid. Sign in again."
    )
    assert page.evaluate("sessionStorage.getItem('voip-calls.session')") is None


# --- what the API refuses, as messages ---


def test_a_user_without_the_permissions_gets_a_message_not_a_blank_table(base: str, page: Page) -> None:
    open_page(page, base)
    sign_in_with_form(page, PLAIN_USER)

    expect(page.locator("#message")).to_contain_text("Your Rocket.Chat roles do not allow viewing calls.")
    expect(page.locator("#rows")).to_have_text("No calls shown: see the message above.")
    expect(page.locator("#scope-note")).to_be_hidden()
    # Asking again would be refused again: nothing offers it.
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)


def test_an_unavailable_database_is_a_message_and_try_again_recovers(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    unavailable = {"success": False, "error": "Service temporarily unavailable"}

    def unavailable_database(route: Route) -> None:
        route.fulfill(status=503, content_type="application/json", body=json.dumps(unavailable))

    page.route(the_api, unavailable_database)
    open_page(page, base)

    expect(page.locator("#message")).to_have_text(
        "The call history is temporarily unavailable: the database did not answer. Try again in a moment."
    )
    expect(page.locator("#rows")).to_have_text("No calls shown: see the message above.")
    screenshot(page, "unavailable")
    page.unroute(the_api)
    page.get_by_role("button", name="Try again").click()
    settled(page)

    expect(page.locator("#message")).to_have_text("")
    assert len(shown_ids(page)) == 50


REFUSED_VIEWS = [
    (
        "?roomName=" + "x" * 257,
        'Invalid "Name" filter: expected 1 to 256 characters, no NUL or lone surrogate.',
    ),
    (
        "?" + "&".join(f"tags=t{n}" for n in range(101)),
        'Invalid "Tags" filter: at most 100 items are expected.',
    ),
]


@pytest.mark.parametrize(("search", "reason"), REFUSED_VIEWS, ids=["long name", "many tags"])
def test_a_refused_filter_is_named_by_its_label_on_the_page(
    base: str, context: BrowserContext, page: Page, search: str, reason: str
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base, search)

    expect(page.locator("#message")).to_have_text(f"The server refused these filters: {reason}")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)


def test_a_cursor_the_api_no_longer_reads_leads_to_the_first_page_of_the_view(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base, "?queue=sales")
    pager(page).get_by_role("button", name="Next page").click()
    settled(page)
    # The cursor kept in the history entry is one this server no longer reads (as after a deploy that
    # changed cursors): the reload asks for it, and the API refuses it (400, naming "after").
    page.evaluate(
        "history.replaceState({...history.state,"
        " position: {...history.state.position, after: 'c3RhbGU'}}, '')"
    )
    page.reload()
    settled(page)

    expect(page.locator("#message")).to_have_text(
        "This page's place in the list is no longer valid (the server may have been updated since). "
        "Start again from the first page of these calls."
    )
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    expect(pager(page).get_by_role("button", name="First page")).to_be_enabled()
    screenshot(page, "stale-cursor")
    page.get_by_role("button", name="Go to the first page").click()
    settled(page)

    expected = api(base, {"queue": "sales", "sort": DEFAULT_SORT, "count": 50})
    assert shown_ids(page) == ids(expected["rooms"])
    assert search_params(page) == {"queue": ["sales"]}
    expect(page.locator("#message")).to_have_text("")


def test_an_agent_sees_only_the_calls_they_served(base: str, page: Page) -> None:
    open_page(page, base)
    sign_in_with_form(page, AGENT)

    expected = api(base, {"agents": AGENT[0], "sort": DEFAULT_SORT, "count": 50}, user=AGENT)
    assert shown_ids(page) == ids(expected["rooms"])
    assert all(room["servedBy"]["_id"] == AGENT[0] for room in expected["rooms"])
    expect(page.locator("#summary")).to_have_text(
        f"Calls 1{DASH}{len(expected['rooms'])} of {expected['total']}"
    )
    expect(page.locator("#scope-note")).to_have_text(
        "You see the calls you served: your Rocket.Chat role does not show other agents' calls."
    )
    expect(page.get_by_label("Agents")).to_be_disabled()
    expect(page.get_by_label("Agents")).to_have_value("faria.masood")  # their username, as the rows show it
    # Other filters still apply, within the agent's own calls.
    page.get_by_label("Status").select_option("false")
    settled(page)
    closed = api(base, {"agents": AGENT[0], "open": "false", "sort": DEFAULT_SORT, "count": 50}, user=AGENT)
    assert shown_ids(page) == ids(closed["rooms"])
    screenshot(page, "agent")


# --- filters, order, pages: what the API answers ---


FILTERS = [
    ("Name", "olga", {"roomName": "olga"}),
    ("Agents", "demo-agent-2, demo-agent-4", {"agents": ["demo-agent-2", "demo-agent-4"]}),
    ("Status", "false", {"open": "false"}),
    ("Status", "true", {"open": "true"}),
    ("Direction", "outbound", {"direction": "outbound"}),
    ("Queue", "billing", {"queue": "billing"}),
    ("Tags", "vip, refund", {"tags": ["vip", "refund"]}),
    ("Visitor ID", "visitor-guest-261", {"visitorId": "visitor-guest-261"}),
]
DATE_FILTERS = [
    ("Started", "2026-09-01", "2026-09-30", "createdAt"),
    ("Closed", "2026-10-01", "2026-10-03", "closedAt"),
]


@pytest.mark.parametrize("case", FILTERS, ids=[f"{f[0]}={f[1]}" for f in FILTERS])
def test_each_filter_shows_the_rows_the_api_answers_and_lives_in_the_url(
    base: str, context: BrowserContext, page: Page, case: tuple[str, str, dict[str, Any]]
) -> None:
    label, value, params = case
    rocket_chat_session(context, ADMIN)
    open_page(page, base)

    field = page.get_by_label(label, exact=True)
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)  # a list applies at once
    else:
        field.fill(value)
        field.press("Enter")
    settled(page)

    expected = api(base, {**params, "sort": DEFAULT_SORT, "count": 50})
    assert expected["rooms"], "a filter that matches nothing proves little"
    assert shown_ids(page) == ids(expected["rooms"])
    expect(page.locator("#summary")).to_contain_text(f"of {expected['total']}")
    url_params = search_params(page)
    for name, wanted in params.items():
        assert url_params[name] == (wanted if isinstance(wanted, list) else [wanted])


def test_the_agent_filter_takes_the_username_the_agent_column_shows(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    # The agents of the calls read so far are suggested by username, their ID beside it.
    suggested = page.locator("#agent-options option").evaluate_all("os => os.map(o => [o.value, o.label])")
    assert ["li.agent", "demo-agent-3"] in suggested
    field = page.get_by_label("Agents")

    field.fill("li.agent")
    field.press("Enter")
    settled(page)

    expected = api(base, {"agents": "demo-agent-3", "sort": DEFAULT_SORT, "count": 50})
    assert expected["rooms"]
    assert shown_ids(page) == ids(expected["rooms"])
    assert search_params(page)["agents"] == ["demo-agent-3"]  # the link holds the ID, which never changes
    expect(field).to_have_value("li.agent")
    expect(page.locator("#agents-note")).to_be_hidden()
    # A link with the ID, in a new tab: the field names the agent once their calls are read.
    shared = page.context.new_page()
    open_page(shared, base, "?agents=demo-agent-3")
    expect(shared.get_by_label("Agents")).to_have_value("li.agent")

    # A name that is no agent's: the page says so, rather than a bare "No calls".
    field.fill("li.agnet")
    field.press("Enter")
    settled(page)

    expect(page.locator("#rows")).to_have_text("No calls match these filters.")
    expect(page.locator("#agents-note")).to_have_text(
        '"li.agnet" is neither the username nor the ID of an agent in the calls seen here. Type an agent\'s '
        'username as the Agent column shows it, or their ID (in a call\'s details: "Agent ID").'
    )
    screenshot(page, "unknown-agent")


@pytest.mark.parametrize("case", DATE_FILTERS, ids=[f[0] for f in DATE_FILTERS])
def test_a_date_range_is_whole_days_in_the_browser_s_time_zone(
    base: str, context: BrowserContext, page: Page, case: tuple[str, str, str, str]
) -> None:
    legend, first, last, parameter = case
    rocket_chat_session(context, ADMIN)
    open_page(page, base)

    ranges = page.get_by_role("group", name=legend)
    ranges.get_by_label("from").fill(first)
    ranges.get_by_label("to").fill(last)
    with page.expect_request(lambda request: parameter in request.url) as sent:
        page.get_by_role("button", name="Apply filters").click()
    settled(page)

    # From the first day's midnight to the last day's end, in Kolkata: 18:30 UTC the day before, and so on.
    bounds = day_bounds(first, last)
    assert bounds["start"].endswith("T18:30:00.000Z")
    asked = urllib.parse.parse_qs(urllib.parse.urlsplit(sent.value.url).query)
    assert json.loads(asked[parameter][0]) == bounds
    expected = api(base, {parameter: bounds, "sort": DEFAULT_SORT, "count": 50})
    assert expected["rooms"]
    assert shown_ids(page) == ids(expected["rooms"])
    expect(page.locator("#summary")).to_contain_text(f"of {expected['total']}")
    assert search_params(page)[f"{parameter[:-2]}From"] == [first]


SORTS = [
    ("Name", "fname"),
    ("Phone", "v.phone"),
    ("Queue", "queue"),
    ("Started", "ts"),
    ("Duration", "callDuration"),
    ("Waiting", "callWaitingTime"),
    ("Direction", "direction"),
    ("Closed", "closedAt"),
]


@pytest.mark.parametrize(("header", "key"), SORTS)
def test_each_sortable_column_orders_the_rows_as_the_api_does_both_ways(
    base: str, context: BrowserContext, page: Page, header: str, key: str
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    column = page.get_by_role("columnheader", name=header)

    # A column's first click orders it ascending (Started, the default order newest first, turns around).
    for direction in (1, -1):
        column.get_by_role("button").click()
        settled(page)
        expected = api(base, {"sort": {key: direction}, "count": 50})
        assert shown_ids(page) == ids(expected["rooms"]), (key, direction)
        expect(column).to_have_attribute("aria-sort", "ascending" if direction == 1 else "descending")
        # The default order (newest first) leaves the URL without a sort.
        written = [] if (key, direction) == ("ts", -1) else [f"{'-' if direction == -1 else ''}{key}"]
        assert search_params(page).get("sort", []) == written


def test_paging_forward_reaches_every_call_once_and_previous_and_back_return(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    page.get_by_label("Rows per page").select_option("100")
    settled(page)

    walk = ids(api_walk(base, {"sort": DEFAULT_SORT}))
    count = -(-len(walk) // 100)

    pages = [shown_ids(page)]
    while pager(page).get_by_role("button", name="Next page").is_enabled():
        pager(page).get_by_role("button", name="Next page").click()
        settled(page)
        pages.append(shown_ids(page))
        # Every page says where it stands among them all.
        first = (len(pages) - 1) * 100 + 1
        expect(page.locator("#summary")).to_have_text(
            f"Calls {first}{DASH}{min(first + 99, len(walk))} of {len(walk)}"
        )
        expect_page_label(page, f"Page {len(pages)} of {count}")

    assert [room for rows in pages for room in rows] == walk
    assert len(pages) == count
    # "Previous page" steps back through the cursors kept, and the browser's back and forward too.
    pager(page).get_by_role("button", name="Previous page").click()
    settled(page)
    assert shown_ids(page) == pages[-2]
    # A reload keeps the page: its cursor is in the history entry.
    for move, shown in [
        (page.go_back, pages[-1]),
        (page.go_back, pages[-2]),
        (page.go_forward, pages[-1]),
        (page.reload, pages[-1]),
    ]:
        move()
        settled(page)
        assert shown_ids(page) == shown, move.__name__
    expect_page_label(page, f"Page {count} of {count}")
    # The pager below the table does what the one above does.
    page.get_by_role("navigation", name="Pages, below the calls").get_by_role(
        "button", name="First page"
    ).click()
    settled(page)
    assert shown_ids(page) == pages[0]
    expect(pager(page).get_by_role("button", name="Previous page")).to_be_disabled()


def test_a_later_page_s_url_holds_no_cursor_and_a_link_to_it_starts_at_the_first_page(
    base: str, context: BrowserContext, page: Page
) -> None:
    # Sorted by phone, a cursor holds a caller's phone number: it must stay out of history, bookmarks, links.
    rocket_chat_session(context, ADMIN)
    open_page(page, base, "?sort=v.phone")
    first = api(base, {"sort": {"v.phone": 1}, "count": 50})
    expect(page.locator("#view-note")).to_be_hidden()  # a link to the first page is the whole view

    pager(page).get_by_role("button", name="Next page").click()
    settled(page)

    second = api(base, {"sort": {"v.phone": 1}, "count": 50, "after": first["next"]})
    assert shown_ids(page) == ids(second["rooms"])
    assert page.url == f"{base}/voip-calls?sort=v.phone&page=2"
    # Opened elsewhere (a shared link, a bookmark), page 2 has no cursor: the first page, and a word why.
    shared = page.context.new_page()
    shared.goto(page.url)
    settled(shared)
    assert shown_ids(shared) == ids(first["rooms"])
    expect(shared.locator("#view-note")).to_have_text(
        "This link pointed to page 2 of these calls. Links do not keep a place in the list (it would name "
        "callers), so the calls start at the first page."
    )
    assert shared.url == f"{base}/voip-calls?sort=v.phone"
    expect_page_label(shared, f"Page 1 of {-(-first['total'] // 50)}")
    # A link from before cursors left the URL: its cursor is not used either.
    shared.goto(f"{base}/voip-calls?sort=v.phone&after={first['next']}")
    settled(shared)
    assert shown_ids(shared) == ids(first["rooms"])
    expect(shared.locator("#view-note")).to_contain_text("This link pointed to a later page of these calls.")
    assert shared.url == f"{base}/voip-calls?sort=v.phone"


def test_a_filter_typed_but_not_applied_is_kept_and_called_so_across_paging(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    name = page.get_by_label("Name", exact=True)
    edited = page.locator("#filters-edited")
    expect(edited).to_be_hidden()

    name.fill("olga")
    expect(edited).to_have_text(
        'The filters you changed are not applied yet: press Enter in a field, or "Apply filters".'
    )
    pager(page).get_by_role("button", name="Next page").click()
    settled(page)

    # The page shown is the view's (unfiltered) page 2; the text typed is still there, still called unapplied.
    first = api(base, {"sort": DEFAULT_SORT, "count": 50})
    assert shown_ids(page) == ids(
        api(base, {"sort": DEFAULT_SORT, "count": 50, "after": first["next"]})["rooms"]
    )
    expect(name).to_have_value("olga")
    expect(edited).to_be_visible()
    name.press("Enter")
    settled(page)
    assert shown_ids(page) == ids(api(base, {"roomName": "olga", "sort": DEFAULT_SORT, "count": 50})["rooms"])
    expect(edited).to_be_hidden()


def test_the_pager_waits_for_the_page_being_read(base: str, context: BrowserContext, page: Page) -> None:
    rocket_chat_session(context, ADMIN)
    with one_request_held(page, the_api):
        page.goto(f"{base}/voip-calls")
        # The first page is on its way: every pager button (above and below the table) is off.
        buttons = page.locator(".pager button")
        expect(buttons).to_have_count(6)
        for button in buttons.all():
            expect(button).to_be_disabled()
            button.click(force=True)
    first_page = api(base, {"sort": DEFAULT_SORT, "count": 50})
    assert shown_ids(page) == ids(first_page["rooms"])
    entries = page.evaluate("history.length")

    # A double click on "Next page": the second click comes while page 2 is read, and does nothing.
    next_page = pager(page).get_by_role("button", name="Next page")
    with one_request_held(page, a_later_page):
        next_page.click()
        expect(next_page).to_be_disabled()
        next_page.click(force=True)

    second_page = api(base, {"sort": DEFAULT_SORT, "count": 50, "after": first_page["next"]})
    assert shown_ids(page) == ids(second_page["rooms"])
    expect_page_label(page, f"Page 2 of {-(-first_page['total'] // 50)}")
    assert page.evaluate("history.length") == entries + 1


def test_a_view_s_url_is_a_bookmark_and_back_and_forward_step_through_views(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    page.get_by_label("Name", exact=True).fill("olga")
    page.get_by_label("Name", exact=True).press("Enter")
    settled(page)
    page.get_by_label("Queue").fill("sales")
    page.get_by_label("Queue").press("Enter")
    settled(page)
    page.get_by_role("columnheader", name="Duration").get_by_role("button").click()
    settled(page)
    both = ids(
        api(base, {"roomName": "olga", "queue": "sales", "sort": {"callDuration": 1}, "count": 50})["rooms"]
    )
    assert shown_ids(page) == both
    expect(page.get_by_text("Filters (2 in use)")).to_be_visible()
    bookmark = page.url

    page.go_back()
    settled(page)
    assert search_params(page) == {"roomName": ["olga"], "queue": ["sales"]}
    page.go_back()
    settled(page)
    expect(page.get_by_label("Queue")).to_have_value("")
    expect(page.get_by_label("Name", exact=True)).to_have_value("olga")
    assert shown_ids(page) == ids(api(base, {"roomName": "olga", "sort": DEFAULT_SORT, "count": 50})["rooms"])
    page.go_forward()
    page.go_forward()
    settled(page)
    assert shown_ids(page) == both

    shared = page.context.new_page()
    shared.goto(bookmark)
    settled(shared)
    assert shown_ids(shared) == both
    expect(shared.get_by_label("Queue")).to_have_value("sales")
    expect(shared.get_by_role("columnheader", name="Duration")).to_have_attribute("aria-sort", "ascending")
    page.get_by_role("button", name="Clear").click()
    settled(page)
    assert search_params(page) == {"sort": ["callDuration"]}


def test_the_readme_s_picture_is_a_page_of_the_demo_data_make_run_serves(
    context: BrowserContext, page: Page
) -> None:
    # The demo data alone (the other tests' server adds rooms to it): what a newcomer sees after `make run`.
    rocket_chat_session(context, ADMIN)
    with served() as demo:
        open_page(page, demo, "?count=100")
        pager(page).get_by_role("button", name="Next page").click()
        settled(page)

        expect(page.locator("#summary")).to_have_text(f"Calls 101{DASH}200 of 320")  # the README says so
        page.mouse.move(0, 0)  # no button in its hover colour
        screenshot(page, "readme")  # docs/images/calls-page.png


# --- a room's details ---


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """A room's fields by dotted path, as the page lists them (an empty document stays one field)."""
    if isinstance(value, dict) and (value or not path):
        cells: dict[str, Any] = {}
        for key, inner in value.items():
            cells |= flatten(inner, f"{path}.{key}" if path else key)
        return cells
    return {path: value}


def test_a_room_s_details_show_every_field_the_api_returns_dates_local_with_utc(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base, "?roomName=souza&open=false")
    room = api(base, {"roomName": "souza", "open": "false", "sort": DEFAULT_SORT, "count": 1})["rooms"][0]

    opener = page.locator("#rows tr").first.get_by_role("button")
    opener.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()

    expect(dialog.get_by_role("heading")).to_have_text(room["fname"])
    paths = dialog.locator("dt code").all_text_contents()
    assert paths == list(flatten(room))
    term = dialog.locator("dt").filter(has=page.locator("code", has_text=re.compile(r"^ts$")))
    started = term.locator("xpath=following-sibling::dd[1]")
    local = datetime.fromisoformat(room["ts"].replace("Z", "+00:00")).astimezone(ZoneInfo(TIME_ZONE))
    expect(started).to_contain_text(local.strftime("%b %-d, %Y"))
    expect(started).to_contain_text(f"{room['ts'][:10]} {room['ts'][11:23]} UTC")
    expect(dialog).to_contain_text(f"({room['callDuration']:,} ms)")
    screenshot(page, "details")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


# --- room data is text ---


def test_a_room_named_as_markup_shows_those_characters_and_runs_nothing(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base, "?roomName=onerror")

    row = page.locator(f'#rows tr[data-room-id="{MARKUP_ROOM_ID}"]')
    expect(row.get_by_role("button")).to_have_text(MARKUP_NAME)
    expect(row).to_contain_text("<b>vip</b>")
    assert page.locator("#rows img, #rows b").count() == 0
    row.get_by_role("button").click()
    expect(page.get_by_role("dialog").get_by_role("heading")).to_have_text(MARKUP_NAME)
    assert page.locator("dialog img").count() == 0
    # The page fixture fails the test if an alert opened or a script failed.


def test_a_direction_override_in_room_data_is_shown_and_reorders_nothing_around_it(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base, "?roomName=Evil")
    row = page.locator(f'#rows tr[data-room-id="{BIDI_ROOM_ID}"]')

    # The tags read in their order: the override in the first one stays inside it.
    first, second = (tag.bounding_box() for tag in row.locator(".tag").all())
    assert first is not None
    assert second is not None
    assert second["x"] > first["x"] + first["width"]
    # The details show the hidden character as what it is, in the text's own order.
    row.get_by_role("button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(BIDI_NAME.replace("\u202e", "U+202E"))
    mark = dialog.get_by_role("heading").locator(".hidden-character")
    expect(mark).to_have_attribute("title", "right-to-left override")
    term = dialog.locator("dt").filter(has=page.locator("code", has_text=re.compile(r"^tags$")))
    expect(term.locator("xpath=following-sibling::dd[1]")).to_have_text("U+202Egat, zzz")
    screenshot(page, "bidi-details")


# --- downloads ---


def _download(page: Page, button: str) -> str:
    with page.expect_download() as started:
        page.get_by_role("button", name=button).click()
    path = started.value.path()
    return Path(path).read_text(encoding="utf-8")


def test_the_json_lines_download_is_the_api_s_own_walk_of_every_matching_call(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base, "?sort=fname")

    text = _download(page, "Download JSON Lines")

    walk = api_walk(base, {"sort": {"fname": 1}})
    assert len(walk) > 300  # several cursor pages of 100
    assert [json.loads(line) for line in text.splitlines()] == walk
    expect(page.locator("#download-text")).to_have_text(f"Downloaded {len(walk)} calls as JSON Lines.")


# The CSV's columns: fields as stored by their path, each date beside it in the browser's time zone, durations
# in seconds, and every other field in one JSON object.
CSV_FIELDS = ["_id", "fname", "name", "v.phone", "v._id", "v.username", "servedBy._id", "servedBy.username"]
CSV_FIELDS += ["queue", "direction", "open"]
CSV_DATES = ["ts", "callStarted", "closedAt"]
CSV_SECONDS = {"callDuration (s)": "callDuration", "callWaitingTime (s)": "callWaitingTime"}
CSV_LAST = [
    "callTotalHoldTime (s)",
    "closer",
    "closedBy.username",
    "tags",
    "departmentId",
    "other fields (JSON)",
]
CSV_IN_COLUMNS = {*CSV_FIELDS, *CSV_DATES, *CSV_SECONDS.values(), "callTotalHoldTime", *CSV_LAST[1:-1]}


def csv_header(zone: str) -> list[str]:
    dates = [column for date in CSV_DATES for column in (date, f"{date} (local, {zone})")]
    return [*CSV_FIELDS, *dates, *CSV_SECONDS, *CSV_LAST]


def test_the_csv_download_holds_every_matching_call_in_one_set_of_columns_formulas_neutralised(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base, "?open=false")
    zone = page.locator("#time-zone").text_content() or ""  # the browser's name of TIME_ZONE

    text = _download(page, "Download CSV")

    assert text.startswith("\ufeff")  # so that spreadsheets read UTF-8
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    assert header == csv_header(zone)
    assert {len(row) for row in rows} == {len(header)}  # strict CSV tools refuse a row of another length
    walk = api_walk(base, {"open": "false", "sort": DEFAULT_SORT})
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert [record["_id"] for record in records] == ids(walk)
    for room, record in zip(walk, records, strict=True):
        fields = flatten(room)
        for date in CSV_DATES:
            assert record[date] == fields.get(date, "")
            local = (
                datetime.fromisoformat(room[date]).astimezone(ZoneInfo(TIME_ZONE)) if date in room else None
            )
            assert record[f"{date} (local, {zone})"] == (local.strftime("%Y-%m-%d %H:%M:%S") if local else "")
        for column, path in CSV_SECONDS.items():
            milliseconds = fields.get(path)
            if isinstance(milliseconds, int | float):
                assert float(record[column]) == pytest.approx(milliseconds / 1000)
            else:
                assert record[column] == ("" if milliseconds is None else str(milliseconds))
        assert record["queue"] == room.get("queue", "")
        assert record["tags"].removeprefix("'") == "; ".join(room.get("tags", []))
        # Nothing is lost: every field outside the columns is in the JSON column, as the API returned it.
        other = json.loads(record["other fields (JSON)"] or "{}")
        assert other == {path: value for path, value in fields.items() if path not in CSV_IN_COLUMNS}
    # What a spreadsheet would run starts with an apostrophe; the rest is as stored.
    by_id = {record["_id"]: record for record in records}
    assert by_id[FORMULA_ROOM_ID]["fname"] == f"'{FORMULA_NAME}"
    assert by_id[FORMULA_ROOM_ID]["tags"] == "'@SUM(1+1); +1"
    assert by_id[FORMULA_ROOM_ID]["v.username"] == f"'{FORMULA_NAME}"
    assert by_id[MARKUP_ROOM_ID]["fname"] == MARKUP_NAME
    assert all(record["v.phone"].startswith("'+") for record in records)  # "+1 555 …" would be a formula too
    expect(page.locator("#download-text")).to_have_text(f"Downloaded {len(walk)} calls as CSV.")


def test_a_download_shows_its_progress_and_cancel_stops_it_with_no_file(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    held: list[Route] = []
    page.route(a_later_page, holding(held))  # the second page never answers
    downloads: list[Download] = []

    def downloaded(download: Download) -> None:
        downloads.append(download)

    page.on("download", downloaded)
    total = api(base, {"count": 1})["total"]

    page.get_by_role("button", name="Download CSV").click()

    expect(page.locator("#download-text")).to_have_text(f"Downloading: 100 of {total} calls")
    expect(page.locator("#download-progress")).to_have_attribute("value", "100")
    expect(page.get_by_role("button", name="Download CSV")).to_be_disabled()
    screenshot(page, "download")
    page.get_by_role("button", name="Cancel download").click()

    expect(page.locator("#download-text")).to_have_text("Download cancelled.")
    expect(page.get_by_role("button", name="Download CSV")).to_be_enabled()
    expect(page.get_by_role("button", name="Cancel download")).to_be_hidden()
    assert downloads == []
    assert len(held) == 1
    page.unroute(a_later_page)


def api_error(route: Route, status: int, body: dict[str, Any], retry_after: str | None = None) -> None:
    """Answer a request of the page as the API (or its gateway) answers an error."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    route.fulfill(status=status, headers=headers, content_type="application/json", body=json.dumps(body))


BUSY = (429, {"success": False, "error": "Too many requests"})
UNAVAILABLE = (503, {"success": False, "error": "Service temporarily unavailable"})


def test_a_download_waits_out_a_throttled_or_unavailable_api_and_completes(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    # Page 2 of the walk is answered 429, then 503 (each asking to wait 0 s), then as the API answers it.
    passing_errors = iter([BUSY, UNAVAILABLE])
    asked: list[str] = []

    def flaky(route: Route) -> None:
        asked.append(route.request.url)
        error = next(passing_errors, None) if "after=" in route.request.url else None
        if error:
            api_error(route, *error, retry_after="0")
        else:
            route.continue_()

    page.route(the_api, flaky)

    text = _download(page, "Download JSON Lines")

    walk = api_walk(base, {"sort": DEFAULT_SORT})
    assert [json.loads(line) for line in text.splitlines()] == walk
    expect(page.locator("#download-text")).to_have_text(f"Downloaded {len(walk)} calls as JSON Lines.")
    assert len(asked) == -(-len(walk) // 100) + 2  # page 2 asked three times
    assert asked[1] == asked[2] == asked[3]


def test_a_download_steps_over_a_call_too_large_for_one_answer_and_says_so(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    first = api(base, {"sort": DEFAULT_SORT, "count": 100})
    # The API's answer when the first room of page 2 alone is larger than one answer may be: its "next" steps
    # over that room (as the API's own cursor after it does).
    over_it = api(base, {"sort": DEFAULT_SORT, "count": 1, "after": first["next"]})["next"]
    too_large = {
        "success": False,
        "error": "The first room of this page is larger than one answer may be (6000000 bytes). "
        "[error-room-too-large]",
        "errorType": "error-room-too-large",
        "next": over_it,
    }

    def page_2_too_large(route: Route) -> None:
        if f"after={first['next']}" in route.request.url:
            api_error(route, 400, too_large)
        else:
            route.continue_()

    page.route(the_api, page_2_too_large)

    text = _download(page, "Download JSON Lines")

    walk = api_walk(base, {"sort": DEFAULT_SORT})
    assert [json.loads(line) for line in text.splitlines()] == walk[:100] + walk[101:]
    expect(page.locator("#download-text")).to_have_text(
        f"Downloaded {len(walk) - 1} calls as JSON Lines. 1 call was left out, too large for one answer: "
        "number 101 in this order."
    )


def test_a_download_that_stops_offers_the_calls_received_and_goes_on_from_there(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)
    first = api(base, {"sort": DEFAULT_SORT, "count": 100})
    second = api(base, {"sort": DEFAULT_SORT, "count": 100, "after": first["next"]})
    page_3: list[str] = []

    def page_3_unavailable(route: Route) -> None:
        if f"after={second['next']}" in route.request.url:
            page_3.append(route.request.url)
            api_error(route, *UNAVAILABLE, retry_after="0")
        else:
            route.continue_()

    page.route(the_api, page_3_unavailable)
    page.get_by_role("button", name="Download CSV").click()

    total = first["total"]
    expect(page.locator("#download-text")).to_have_text(
        f"The download stopped after 200 of {total} calls: The call history is temporarily unavailable: the "
        "database did not answer. Try again in a moment."
    )
    assert len(page_3) == 5  # asked five times in all, then given up
    screenshot(page, "download-stopped")
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save the 200 calls received").click()
    assert re.fullmatch(rf"calls-[\dT-]+-partial-200-of-{total}\.csv", saved.value.suggested_filename)
    partial = Path(saved.value.path()).read_text(encoding="utf-8").removeprefix("\ufeff")
    walk = ids(api_walk(base, {"sort": DEFAULT_SORT}))
    assert [row["_id"] for row in csv.DictReader(io.StringIO(partial))] == walk[:200]

    # The database is back: the download goes on from page 3, into the same file.
    page.unroute(the_api)
    text = _download(page, "Continue the download")

    assert [row["_id"] for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))] == walk
    expect(page.locator("#download-text")).to_have_text(f"Downloaded {len(walk)} calls as CSV.")


# --- a tool people use all day ---


def test_keyboard_alone_filters_sorts_opens_details_and_pages(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)

    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type("an")
    page.keyboard.press("Enter")
    settled(page)
    page.get_by_role("columnheader", name="Queue").get_by_role("button").focus()
    page.keyboard.press("Enter")
    settled(page)
    expected = api(base, {"roomName": "an", "sort": {"queue": 1}, "count": 50})
    assert expected["next"]  # more than one page
    assert shown_ids(page) == ids(expected["rooms"])
    # From the sort button, Tab walks through the five sortable headers after it into the first row.
    for _ in range(6):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('tr')?.dataset.roomId ?? null")
    assert focused == expected["rooms"][0]["_id"]
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    pager(page).get_by_role("button", name="Next page").focus()
    page.keyboard.press("Enter")
    settled(page)
    expect_page_label(page, f"Page 2 of {-(-expected['total'] // 50)}")


def test_at_1280_by_800_the_table_fits_and_its_first_rows_show_without_scrolling(
    base: str, context: BrowserContext, page: Page
) -> None:
    rocket_chat_session(context, ADMIN)
    open_page(page, base)

    region = page.locator("#calls-region")
    assert region.evaluate("element => element.scrollWidth <= element.clientWidth")
    first_rows = page.locator("#rows tr").nth(5).bounding_box()
    assert first_rows is not None
    assert first_rows["y"] + first_rows["height"] <= 800


def test_on_a_narrow_window_only_the_table_scrolls_sideways_and_the_controls_stack(
    base: str, browser: Browser
) -> None:
    narrow = _context(browser, viewport={"width": 390, "height": 844})
    try:
        rocket_chat_session(narrow, ADMIN)
        page = narrow.new_page()
        open_page(page, base)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # The table's own region scrolls, and takes the keyboard's focus to do so.
        region = page.locator("#calls-region")
        assert region.evaluate("element => element.scrollWidth > element.clientWidth")
        expect(region).to_have_attribute("tabindex", "0")
        # The filters start folded away, the calls first; opened, they stack in one column.
        expect(page.get_by_label("Name", exact=True)).to_be_hidden()
        expect(page.locator("#rows tr").first).to_be_in_viewport()
        screenshot(page, "narrow")
        page.get_by_text("Filters", exact=True).click()
        name, agents = (
            page.get_by_label("Name", exact=True).bounding_box(),
            page.get_by_label("Agents").bounding_box(),
        )
        assert name is not None
        assert agents is not None
        assert agents["y"] > name["y"]  # one column of fields
        assert agents["x"] == name["x"]
    finally:
        narrow.close()


def _serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_an_accessibility_scan_of_every_view_finds_nothing_serious(base: str, browser: Browser) -> None:
    # The scan's script is injected by the test: the page's own policy would refuse it.
    scanned = _context(browser, bypass_csp=True)
    try:
        page = scanned.new_page()
        open_page(page, base)
        found = {"sign-in": _serious_violations(page)}
        sign_in_with_form(page, ("demo-bot", "wrong"))
        found["sign-in with a message"] = _serious_violations(page)
        sign_in_with_form(page, BOT)
        found["table"] = _serious_violations(page)
        page.locator("#rows tr").first.get_by_role("button").click()
        found["details"] = _serious_violations(page)
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Download JSON Lines").click()
        expect(page.locator("#download-text")).to_contain_text("Downloaded")
        found["after a download"] = _serious_violations(page)
        page.get_by_label("Agents").fill("nobody.here")
        page.get_by_label("Agents").press("Enter")
        settled(page)
        page.get_by_label("Name", exact=True).fill("not applied")
        expect(page.locator("#agents-note")).to_be_visible()
        expect(page.locator("#filters-edited")).to_be_visible()
        found["notes above the table"] = _serious_violations(page)
        page.get_by_role("button", name="Sign out").click()
        sign_in_with_form(page, AGENT)
        found["an agent's own calls"] = _serious_violations(page)
        page.set_viewport_size({"width": 390, "height": 844})
        found["narrow"] = _serious_violations(page)
    finally:
        scanned.close()

    assert {view: problems for view, problems in found.items() if problems} == {}


def test_the_page_comes_with_its_security_headers_and_loads_nothing_from_elsewhere(
    base: str, context: BrowserContext
) -> None:
    # Its own tab: the test writes markup on purpose, which the policy refuses (and reports).
    rocket_chat_session(context, ADMIN)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{base}/voip-calls")
    settled(page)

    assert response is not None
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy
    assert "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert requested
    assert all(url.startswith(f"{base}/") for url in requested)
    # The credentials go in headers to the API only, never in a URL.
    assert not [url for url in requested if ADMIN[1] in url]
    # Trusted Types: writing markup into the page is refused by the browser itself.
    refused = page.evaluate(
        "() => { try { document.body.insertAdjacentHTML('beforeend', '<b>x</b>'); return false; }"
        " catch (error) { return error instanceof TypeError; } }"
    )
    assert refused is True
