// What the table shows (filters, order, page size, page number) as the page's URL holds it, and as the API
// asks it. The URL is the view: bookmarks and shared links open the same view; back and forward step through
// views. The cursor of a later page is never in the URL: it holds the sort values of the row before it (a
// caller's phone number or name), which would land in history, bookmarks and shared links. The page keeps it in
// the browser's history entry instead (history.state), which a reload, back and forward keep, and a link not.

export const SORTABLE = ["fname", "v.phone", "queue", "ts", "callDuration", "callWaitingTime", "direction", "closedAt"];
export const PAGE_SIZES = [25, 50, 100];
const DEFAULT_SORT = { key: "ts", descending: true };
const DEFAULT_COUNT = 50;
const TEXT_FILTERS = ["roomName", "queue", "visitorId"];
const LIST_FILTERS = ["agents", "tags"];
const DATE_FILTERS = ["createdFrom", "createdTo", "closedFrom", "closedTo"];
const CHOICES = { open: ["true", "false"], direction: ["inbound", "outbound"] };
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function emptyFilters() {
  return {
    roomName: "", agents: [], open: "", direction: "", queue: "", tags: [], visitorId: "",
    createdFrom: "", createdTo: "", closedFrom: "", closedTo: "",
  };
}

/** The view a query string describes; what it cannot hold (a mistyped link) falls back to the default. */
export function viewFromSearch(search) {
  const params = new URLSearchParams(search);
  const filters = emptyFilters();
  for (const name of TEXT_FILTERS) filters[name] = (params.get(name) ?? "").trim();
  for (const name of LIST_FILTERS) filters[name] = params.getAll(name).map((v) => v.trim()).filter(Boolean);
  for (const name of DATE_FILTERS) filters[name] = DAY.test(params.get(name) ?? "") ? params.get(name) : "";
  for (const [name, allowed] of Object.entries(CHOICES)) {
    filters[name] = allowed.includes(params.get(name)) ? params.get(name) : "";
  }
  const sortText = params.get("sort") ?? "";
  const key = sortText.replace(/^-/, "");
  const sort = SORTABLE.includes(key) ? { key, descending: sortText.startsWith("-") } : DEFAULT_SORT;
  const count = Number(params.get("count"));
  const page = Number(params.get("page"));
  // A link from before cursors left the URL names a later page by its cursor ("after"): its number is unknown.
  const otherwise = params.has("after") ? null : 1;
  return {
    filters,
    sort,
    count: PAGE_SIZES.includes(count) ? count : DEFAULT_COUNT,
    page: Number.isSafeInteger(page) && page > 1 ? page : otherwise,
  };
}

/** The query string of a view: only what differs from the default, so that links stay short. */
export function searchFromView(view) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(view.filters)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item) params.append(name, item);
  }
  if (view.sort.key !== DEFAULT_SORT.key || view.sort.descending !== DEFAULT_SORT.descending) {
    params.set("sort", `${view.sort.descending ? "-" : ""}${view.sort.key}`);
  }
  if (view.count !== DEFAULT_COUNT) params.set("count", String(view.count));
  if (view.page > 1) params.set("page", String(view.page));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * The API's parameters for a view. ownId: the caller's id, when they may list only their own calls; after: the
 * cursor of the page wanted (none: the first).
 */
export function apiParams(view, { ownId = null, after = null, count = view.count } = {}) {
  const { filters } = view;
  const params = new URLSearchParams();
  for (const name of TEXT_FILTERS) if (filters[name]) params.set(name, filters[name]);
  for (const agent of ownId ? [ownId] : filters.agents) params.append("agents", agent);
  for (const tag of filters.tags) params.append("tags", tag);
  if (filters.open) params.set("open", filters.open);
  if (filters.direction) params.set("direction", filters.direction);
  const created = dateRange(filters.createdFrom, filters.createdTo);
  if (created) params.set("createdAt", created);
  const closed = dateRange(filters.closedFrom, filters.closedTo);
  if (closed) params.set("closedAt", closed);
  params.set("sort", JSON.stringify({ [view.sort.key]: view.sort.descending ? -1 : 1 }));
  params.set("count", String(count));
  if (after) params.set("after", after);
  return params;
}

/** Whole days in the browser's time zone, as the API's inclusive range of instants. */
function dateRange(from, to) {
  if (!from && !to) return null;
  const range = {};
  if (from) range.start = localDay(from, 0, 0, 0, 0).toISOString();
  if (to) range.end = localDay(to, 23, 59, 59, 999).toISOString();
  return JSON.stringify(range);
}

function localDay(day, ...time) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date, ...time);
}

/** "a, b ,c" as ["a", "b", "c"]. */
export function splitList(text) {
  return text.split(",").map((item) => item.trim()).filter(Boolean);
}
