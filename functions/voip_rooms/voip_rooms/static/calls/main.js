// The Calls page: signs in, shows the view the URL describes, and moves between views through history.

import { Agents } from "./agents.js";
import { ApiError, explain, fetchRooms } from "./api.js";
import { showDetails } from "./details.js";
import { setUpDownloads } from "./downloads.js";
import { count, timeZone } from "./format.js";
import { currentSession, forgetRefused, isRocketChatSessionChange, signIn, signOut } from "./session.js";
import { renderRows, renderSortHeaders } from "./table.js";
import { apiParams, emptyFilters, searchFromView, splitList, viewFromSearch } from "./view.js";

const $ = (id) => document.getElementById(id);
const headerCells = [...document.querySelectorAll("#calls-table thead th")];
// The API's largest page: the fewest requests for a download.
const DOWNLOAD_PAGE_SIZE = 100;
// The pagers above and below the table, alike (the one below is a copy): their buttons by what they do, and their
// labels.
$("pager-end").append(...[...$("pager").children].map((child) => child.cloneNode(true)));
const pagerButtons = (go) => [...document.querySelectorAll(`.pager button[data-go="${go}"]`)];
const PAGER_BUTTONS = [...document.querySelectorAll(".pager button")];
const pageLabels = [...document.querySelectorAll(".pager .page-label")];
// Where the first page stands: no cursor, no page before it.
const FIRST_PAGE = Object.freeze({ after: null, trail: [], shown: 0 });

const state = {
  session: null,
  // Whether the caller may list only the calls they served (learned from the API's 403, see fetchPage).
  ownCallsOnly: false,
  view: null,
  // Where this page stands in the walk from the first page: its cursor (after), the pages before it ({after,
  // shown} each, for "Previous page") and how many rows they held. Kept in the history entry, never the URL.
  position: FIRST_PAGE,
  total: null,
  page: null,
  loading: null, // the AbortController of the page being read
  messageAction: null, // what the button beside the message does
  agents: new Agents(), // the agents met in the pages read: the agent filter takes their usernames too
  queues: new Set(),
};

// --- signing in and out ---

function start() {
  stopLoading();
  state.session = currentSession();
  state.ownCallsOnly = false;
  // What one user's calls showed of agents and queues is not suggested to the next.
  state.agents = new Agents();
  state.queues = new Set();
  $("agent-options").replaceChildren();
  $("queue-options").replaceChildren();
  $("loading-page").hidden = true;
  if (!state.session) {
    showSignIn("");
    return;
  }
  $("sign-in").hidden = true;
  $("calls").hidden = false;
  $("account").hidden = false;
  const source = state.session.source === "rocketchat" ? "Rocket.Chat session" : "personal access token";
  $("account-name").textContent = `Signed in as ${state.session.userId} (${source})`;
  showScope();
  showLocation();
}

function showSignIn(message) {
  stopLoading();
  resetDownloads();
  $("calls").hidden = true;
  $("account").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-message").textContent = message;
  $("sign-in-user").focus();
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  signIn(form.elements.userId.value.trim(), form.elements.token.value.trim());
  form.reset();
  start();
});

$("sign-out").addEventListener("click", () => {
  signOut();
  state.session = null;
  $("rows").replaceChildren();
  showSignIn("You have signed out of this page.");
});

// Signed in or out of Rocket.Chat in another tab: follow it, unless this tab uses a token of its own.
window.addEventListener("storage", (event) => {
  if (event.storageArea === localStorage && isRocketChatSessionChange(event.key) && state.session?.source !== "form") {
    start();
  }
});

// --- the view in the URL ---

function showLocation() {
  const view = viewFromSearch(location.search);
  const saved = history.state ?? {};
  let position = positionOf(saved.position, view.page);
  showViewNote("");
  if (!position && view.page !== 1) {
    // A link (or a bookmark) to a later page: its cursor was never in the URL, so the walk starts again.
    const which = view.page ? `page ${count(view.page)}` : "a later page";
    showViewNote(
      `This link pointed to ${which} of these calls. Links do not keep a place in the list (it would name ` +
        "callers), so the calls start at the first page.",
    );
  }
  if (!position) {
    position = FIRST_PAGE;
    view.page = 1;
    history.replaceState({ position, total: null }, "", `${location.pathname}${searchFromView(view)}`);
  }
  // Filters typed but not applied stay in the form while the view's filters stay (paging, sorting).
  const keepEdits = state.view !== null && sameFilters(view.filters, state.view.filters) && filtersEdited();
  state.view = view;
  state.position = position;
  state.total = Number.isInteger(saved.total) ? saved.total : null;
  if (!keepEdits) fillFilters(state.view.filters);
  showFiltersEdited();
  $("page-size").value = String(state.view.count);
  renderSortHeaders(headerCells, state.view.sort, sortBy);
  loadPage();
}

/** The position a history entry kept, if it is the one of this page number. */
function positionOf(saved, page) {
  const valid =
    Array.isArray(saved?.trail) &&
    Number.isInteger(saved.shown) &&
    saved.trail.length + 1 === page &&
    (page === 1 || typeof saved.after === "string");
  return valid ? saved : null;
}

/** A new entry in the browser's history: back and forward step through views. */
function go(view, position = FIRST_PAGE, total = null) {
  const url = `${location.pathname}${searchFromView({ ...view, page: position.trail.length + 1 })}`;
  history.pushState({ position, total }, "", url);
  showLocation();
}

function showViewNote(text) {
  $("view-note").textContent = text;
  $("view-note").hidden = !text;
}

window.addEventListener("popstate", () => {
  if (state.session) showLocation();
});

// --- reading a page ---

async function loadPage() {
  stopLoading();
  const controller = new AbortController();
  state.loading = controller;
  // Paging goes from the page shown: not while another one loads (a second "Next page" would skip ahead).
  state.page = null;
  for (const button of PAGER_BUTTONS) button.disabled = true;
  $("calls-region").setAttribute("aria-busy", "true");
  $("summary").textContent = "Loading calls…";
  showMessage("");
  showUnmetAgents([]);
  try {
    const page = await fetchPage(state.view, { after: state.position.after }, controller.signal);
    if (page.total !== null) {
      state.total = page.total; // the first page counts; a cursor page does not
      history.replaceState({ ...(history.state ?? {}), position: state.position, total: page.total }, "");
    }
    state.page = page;
    showPage(page);
  } catch (error) {
    if (error instanceof ApiError) failed(error);
    else if (error.name !== "AbortError") throw error; // a fault of this page's own: never hidden
  } finally {
    if (state.loading === controller) stopLoading();
  }
}

function stopLoading() {
  state.loading?.abort();
  state.loading = null;
  $("calls-region").removeAttribute("aria-busy");
}

/**
 * One page of the view. The API lets a caller without view-livechat-rooms (an agent) list only the calls
 * they served, asked for as the one agent, and answers anything else with 403; the page cannot read the
 * caller's permissions otherwise. So a 403 is asked again for the caller's own calls, and if that is
 * allowed, the page keeps to them from then on (and says so).
 */
async function fetchPage(view, options, signal) {
  const ask = () =>
    fetchRooms(state.session, apiParams(view, { ...options, ownId: ownId() }), signal);
  try {
    return await ask();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403 || state.ownCallsOnly) throw error;
    state.ownCallsOnly = true;
    try {
      const page = await ask();
      showScope();
      return page;
    } catch (again) {
      state.ownCallsOnly = false;
      throw again;
    }
  }
}

function ownId() {
  return state.ownCallsOnly ? state.session.userId : null;
}

function failed(error) {
  if (error.status === 401) {
    forgetRefused(state.session);
    showSignIn(
      state.session.source === "rocketchat"
        ? "Your Rocket.Chat session has expired or was signed out. Sign in to Rocket.Chat again and reload " +
            "this page, or sign in here with a personal access token."
        : explain(error),
    );
    return;
  }
  state.page = null;
  $("rows").replaceChildren(messageRow("No calls shown: see the message above."));
  $("summary").textContent = "";
  for (const label of pageLabels) label.textContent = "";
  for (const button of PAGER_BUTTONS) button.disabled = true;
  // From a later page, the first page of the view is always a way on.
  for (const button of pagerButtons("first")) button.disabled = !state.position.after;
  if (error.staleCursor) {
    showMessage(
      "This page's place in the list is no longer valid (the server may have been updated since). " +
        "Start again from the first page of these calls.",
      { label: "Go to the first page", run: () => go(state.view, FIRST_PAGE, state.total) },
    );
  } else {
    // Asking again helps with an outage or a busy server, never with a request refused (400, 403).
    showMessage(explain(error), error.passing ? { label: "Try again", run: loadPage } : null);
  }
}

/** The message above the table, and the one thing to do about it (a button), if any. */
function showMessage(text, action = null) {
  $("message").textContent = text;
  $("message-action").hidden = !action;
  $("message-action").textContent = action?.label ?? "";
  state.messageAction = action?.run ?? null;
}

$("message-action").addEventListener("click", () => state.messageAction?.());

// --- showing a page ---

function showPage(page) {
  renderRows($("rows"), page.rooms, (room, button) => showDetails($("details"), room, button));
  if (!page.rooms.length) $("rows").replaceChildren(messageRow("No calls match these filters."));
  learnOptions(page.rooms);
  showUnmetAgents(state.ownCallsOnly ? [] : state.agents.unmet(state.view.filters.agents));
  const { position, total } = state;
  const of = total !== null ? ` of ${count(total)}` : "";
  if (!page.rooms.length) {
    $("summary").textContent = position.shown ? `No more calls${of}.` : "No calls match these filters.";
  } else {
    $("summary").textContent = `Calls ${count(position.shown + 1)}–${count(position.shown + page.count)}${of}`;
  }
  const pages = total ? ` of ${count(Math.max(Math.ceil(total / state.view.count), position.trail.length + 1))}` : "";
  for (const label of pageLabels) label.textContent = `Page ${count(position.trail.length + 1)}${pages}`;
  for (const button of pagerButtons("first")) button.disabled = !position.after;
  for (const button of pagerButtons("previous")) button.disabled = !position.trail.length;
  for (const button of pagerButtons("next")) button.disabled = !page.next;
}

function messageRow(text) {
  const row = document.createElement("tr");
  const cell = document.createElement("td");
  cell.colSpan = headerCells.length;
  cell.className = "empty-row";
  cell.textContent = text;
  row.append(cell);
  return row;
}

function learnOptions(rooms) {
  const field = $("f-agents");
  // The field as the view fills it, unless someone is changing it: its agents by name once they are met.
  const untouched = field.value === agentsText();
  state.agents.learn(rooms);
  if (untouched) field.value = agentsText();
  for (const room of rooms) {
    if (typeof room.queue === "string" && room.queue) state.queues.add(room.queue);
  }
  $("agent-options").replaceChildren(...state.agents.suggestions().map(([value, id]) => option(value, id)));
  $("queue-options").replaceChildren(...[...state.queues].sort().map((queue) => option(queue, "")));
}

/** The agent filter's text for the view: its agents (an agent's own id when they see only their calls). */
function agentsText() {
  const ids = state.ownCallsOnly ? [state.session.userId] : (state.view?.filters.agents ?? []);
  return state.agents.names(ids).join(", ");
}

/** The agent filter is sent as typed when it names no agent met: say so, rather than a bare "No calls". */
function showUnmetAgents(unmet) {
  const quoted = unmet.map((entry) => `"${entry}"`).join(", ");
  $("agents-note").hidden = !unmet.length;
  $("agents-note").textContent = !unmet.length
    ? ""
    : `${quoted} ${unmet.length > 1 ? "are neither usernames nor IDs" : "is neither the username nor the ID"} of ` +
      "an agent in the calls seen here. Type an agent's username as the Agent column shows it, or their ID " +
      '(in a call\'s details: "Agent ID").';
}

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  if (label && label !== value) element.label = label;
  return element;
}

/** An agent may list only their own calls: the agent filter then holds them (by username once met), locked. */
function showScope() {
  const own = state.ownCallsOnly;
  $("scope-note").hidden = !own;
  $("scope-note").textContent = own
    ? "You see the calls you served: your Rocket.Chat role does not show other agents' calls."
    : "";
  $("f-agents").disabled = own;
  $("f-agents").value = agentsText();
}

// --- moving between views ---

function fillFilters(filters) {
  const form = $("filters");
  for (const [name, value] of Object.entries(filters)) {
    form.elements[name].value = Array.isArray(value) ? value.join(", ") : value;
  }
  form.elements.agents.value = agentsText();
  const active = Object.values(filters).filter((value) => value.length).length;
  $("filters-summary").textContent = active ? `Filters (${active} in use)` : "Filters";
}

function sameFilters(one, other) {
  return JSON.stringify(one) === JSON.stringify(other);
}

function filtersEdited() {
  return !sameFilters(formFilters(), state.view.filters);
}

/** Text typed into a filter applies with Enter or "Apply filters": until then, the page says it is not applied. */
function showFiltersEdited() {
  $("filters-edited").hidden = !filtersEdited();
}

function formFilters() {
  const form = $("filters");
  const filters = emptyFilters();
  for (const name of Object.keys(filters)) {
    const value = form.elements[name].value.trim();
    filters[name] = Array.isArray(filters[name]) ? splitList(value) : value;
  }
  // Usernames as the IDs the API filters by; an agent who sees only their calls cannot change the field.
  filters.agents = state.ownCallsOnly ? state.view.filters.agents : state.agents.ids(filters.agents);
  return filters;
}

$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  go({ ...state.view, filters: formFilters() });
});

// A choice in a list applies at once; text and dates apply with Enter or "Apply filters".
for (const select of $("filters").querySelectorAll("select")) {
  select.addEventListener("change", () => $("filters").requestSubmit());
}
$("filters").addEventListener("input", showFiltersEdited);

$("clear-filters").addEventListener("click", () => go({ ...state.view, filters: emptyFilters() }));

$("page-size").addEventListener("change", (event) => {
  go({ ...state.view, count: Number(event.currentTarget.value) });
});

function sortBy(key) {
  const { sort } = state.view;
  const descending = sort.key === key ? !sort.descending : false;
  go({ ...state.view, sort: { key, descending } });
}

const PAGING = {
  first: () => FIRST_PAGE,
  previous: ({ trail }) => {
    const before = trail.at(-1);
    return { after: before.after, trail: trail.slice(0, -1), shown: before.shown };
  },
  next: ({ after, trail, shown }, page) => ({ after: page.next, trail: [...trail, { after, shown }], shown: shown + page.count }),
};

for (const button of PAGER_BUTTONS) {
  button.addEventListener("click", () => {
    if (state.loading) return; // "Next page" is on only with a page shown, "First page" after a failed one too
    go(state.view, PAGING[button.dataset.go](state.position, state.page), state.total);
  });
}

$("details-close").addEventListener("click", () => $("details").close());

// --- downloads ---

const resetDownloads = setUpDownloads({
  readPage: (view, after, signal) => fetchPage(view, { after, count: DOWNLOAD_PAGE_SIZE }, signal),
  currentView: () => state.view,
  onUnauthorized: failed,
});

// On a narrow window the filters start folded away, so that the calls come first.
if (matchMedia("(max-width: 40rem)").matches) $("filters-panel").open = false;
$("time-zone").textContent = timeZone;
$("details-time-zone").textContent = timeZone;
start();
