// The one API this page talks to: GET api/v1/voip/rooms, relative to the page, so under the same origin
// and prefix. The credentials travel only here, in the headers, never in a URL or a cookie.

const ROOMS_URL = "api/v1/voip/rooms";
// The API's parameter names in its messages, as the page's own labels name them.
const LABELS = {
  roomName: "Name",
  agents: "Agents",
  open: "Status",
  Open: "Status",
  direction: "Direction",
  queue: "Queue",
  tags: "Tags",
  visitorId: "Visitor ID",
  createdAt: "Started",
  "createdAt.start": "Started from",
  "createdAt.end": "Started to",
  closedAt: "Closed",
  "closedAt.start": "Closed from",
  "closedAt.end": "Closed to",
};
// 'The "createdAt.start" query parameter', 'Invalid "tags[3]" parameter': a parameter the message names.
const NAMED_PARAMETER = /"([\w.]+)(?:\[\d+\])?" (?:query )?parameter/g;

export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    super(`status ${status}`);
    this.name = "ApiError";
    this.status = status; // 0: no answer at all
    this.body = body;
    this.retryAfter = retryAfter; // milliseconds the answer asked to wait (Retry-After), or null
  }

  /** A 400 refusing the cursor of a later page ("after"): one this deployment no longer reads. */
  get staleCursor() {
    return this.status === 400 && /^Invalid "after" parameter/.test(this.body?.error ?? "");
  }

  /** A 400 for a room alone too large for one answer; body.next steps over it. */
  get roomTooLarge() {
    return this.status === 400 && this.body?.errorType === "error-room-too-large" && typeof this.body.next === "string";
  }

  /** Whether asking again unchanged can help: not for a refused request (400, 403) or a failed sign-in (401). */
  get passing() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** One page of rooms; an ApiError for any answer but a successful one. */
export async function fetchRooms(session, params, signal) {
  let response;
  try {
    response = await fetch(`${ROOMS_URL}?${params}`, {
      headers: { "X-User-Id": session.userId, "X-Auth-Token": session.token },
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, null);
  }
  // A load balancer's or gateway's own error page is not JSON: the status alone then says what happened.
  const body = await response.json().catch(() => null);
  if (response.ok && body?.success === true) return body;
  throw new ApiError(response.status, body, retryAfter(response.headers.get("Retry-After")));
}

/** Retry-After as milliseconds from now: a number of seconds, or an HTTP date; null when absent or unreadable. */
function retryAfter(value) {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** What a failed request means to the person looking at the page. */
export function explain(error) {
  switch (error.status) {
    case 0:
      return "The server could not be reached. Check the connection and try again.";
    case 400:
      return `The server refused these filters: ${reasonOf(error.body)}`;
    case 401:
      return "Your session has expired or its token is no longer valid. Sign in again.";
    case 403:
      return (
        "Your Rocket.Chat roles do not allow viewing calls. Viewing all calls needs the " +
        "view-livechat-rooms permission, viewing your own calls view-l-room: ask an administrator."
      );
    case 429:
      return "Too many requests right now. Wait a moment and try again.";
    case 503:
      return "The call history is temporarily unavailable: the database did not answer. Try again in a moment.";
    default:
      return `The server failed to answer (status ${error.status}). Try again; if it goes on, tell your administrator.`;
  }
}

/** The API's message in the page's words: its parameters by the labels on the screen. */
function reasonOf(body) {
  const text = typeof body?.error === "string" ? body.error : "the request was not valid.";
  return text
    .replace(/\s*\[[\w-]+\]$/, "") // the error type in brackets is for programs
    .replace(NAMED_PARAMETER, (named, name) => (LABELS[name] ? `"${LABELS[name]}" filter` : named));
}
