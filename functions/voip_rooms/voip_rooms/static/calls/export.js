// Downloads of every call matching the filters: the API walked with its cursor (after = the previous
// page's next), page by page into a file, as CSV for spreadsheets or as JSON Lines (the rooms as the API
// returns them, one per line).

import { ApiError } from "./api.js";
import { isIsoDate, spreadsheetDateTime, timeZone } from "./format.js";

// Attempts at one page in all, while the answers are passing errors (no answer, 429, 5xx).
export const MAX_ATTEMPTS = 5;
// The pause before the second attempt when the answer names none (Retry-After), doubled before each next one.
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30_000;

// What a spreadsheet would run as a formula (or as a command, after a tab or carriage return).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Reads every page from position.after on (null: the first page), hands each to onPage(body), and keeps
 * position.after at the page still to read, so that a walk that stopped can go on from there; position.done
 * once the last page is read. fetchPage(after, signal) asks for one page.
 *
 * A passing error is asked again after a pause, what its Retry-After says or 1, 2, 4, 8 s, up to MAX_ATTEMPTS
 * in all, each told to onRetry(error, attempt, pauseMs). A room alone too large for one answer is stepped over
 * with the cursor its 400 carries, told to onSkip(). signal stops the walk during a page or a pause.
 */
export async function walk(position, { fetchPage, onPage, onRetry, onSkip, signal }) {
  while (!position.done) {
    let body;
    try {
      body = await withRetries(() => fetchPage(position.after, signal), onRetry, signal);
    } catch (error) {
      if (!(error instanceof ApiError && error.roomTooLarge)) throw error;
      onSkip();
      position.after = error.body.next;
      continue;
    }
    onPage(body);
    position.after = body.next;
    position.done = !body.next;
  }
}

async function withRetries(ask, onRetry, signal) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ask();
    } catch (error) {
      if (!(error instanceof ApiError && error.passing) || attempt === MAX_ATTEMPTS) throw error;
      const pauseMs = Math.min(error.retryAfter ?? FIRST_PAUSE_MS * 2 ** (attempt - 1), LONGEST_PAUSE_MS);
      onRetry(error, attempt, pauseMs);
      await pause(pauseMs, signal);
    }
  }
}

/** A pause that the signal cuts short with its AbortError. */
function pause(milliseconds, signal) {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", aborted);
      resolve();
    }, milliseconds);
    signal.addEventListener("abort", aborted, { once: true });
  });
}

export class JsonLinesFile {
  constructor() {
    this.parts = [];
  }

  add(rooms) {
    if (rooms.length) this.parts.push(new Blob([rooms.map((room) => `${JSON.stringify(room)}\n`).join("")]));
  }

  blob() {
    return new Blob(this.parts, { type: "application/x-ndjson" });
  }
}

// The CSV's columns, the same for every row: the fields a call-center room holds, by their dotted path and as
// stored (dates ISO 8601 UTC), each date beside it in the browser's time zone in a form spreadsheets read as a
// date, durations in seconds; then every other field the room holds, as one JSON object by dotted path.
const stored = (path) => ({ header: path, paths: [path], value: (cells) => cells.get(path) });
const local = (path) => ({
  header: `${path} (local, ${timeZone})`,
  paths: [],
  value: (cells) => (isIsoDate(cells.get(path)) ? spreadsheetDateTime(cells.get(path)) : null),
});
const inSeconds = (path) => ({
  header: `${path} (s)`,
  paths: [path],
  value: (cells) => {
    const milliseconds = cells.get(path);
    return typeof milliseconds === "number" && Number.isFinite(milliseconds) ? Math.round(milliseconds) / 1000 : milliseconds;
  },
});
const FIELD_COLUMNS = [
  ...["_id", "fname", "name", "v.phone", "v._id", "v.username", "servedBy._id", "servedBy.username"].map(stored),
  ...["queue", "direction", "open"].map(stored),
  stored("ts"), local("ts"), stored("callStarted"), local("callStarted"), stored("closedAt"), local("closedAt"),
  inSeconds("callDuration"), inSeconds("callWaitingTime"),
  { ...stored("callTotalHoldTime"), header: "callTotalHoldTime (s)" }, // stored in seconds already
  ...["closer", "closedBy.username", "tags", "departmentId"].map(stored),
];
const IN_COLUMNS = new Set(FIELD_COLUMNS.flatMap((column) => column.paths));
const OTHER_FIELDS = "other fields (JSON)";
const CSV_HEADERS = [...FIELD_COLUMNS.map((column) => column.header), OTHER_FIELDS];

/**
 * Rooms as CSV (RFC 4180, UTF-8 with a byte-order mark for spreadsheets), in the columns above: every row has
 * the header's fields, whatever fields its room holds. Lists are joined with "; ". Rows are kept as blobs page
 * by page (the browser may keep them on disk).
 */
export class CsvFile {
  constructor() {
    this.parts = [`\uFEFF${CSV_HEADERS.map((header) => csvField(header)).join(",")}\r\n`];
  }

  add(rooms) {
    const lines = rooms.map((room) => {
      const cells = flatten(room);
      const other = [...cells].filter(([path]) => !IN_COLUMNS.has(path));
      const values = FIELD_COLUMNS.map((column) => column.value(cells));
      values.push(other.length ? JSON.stringify(Object.fromEntries(other)) : null);
      return values.map(csvField).join(",");
    });
    if (lines.length) this.parts.push(new Blob([`${lines.join("\r\n")}\r\n`]));
  }

  blob() {
    return new Blob(this.parts, { type: "text/csv;charset=utf-8" });
  }
}

/** A room's fields as path → value, depth first, in the room's own order. */
export function flatten(value, path = "", cells = new Map()) {
  if (isObject(value) && (Object.keys(value).length || !path)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, path ? `${path}.${key}` : key, cells);
  } else {
    cells.set(path, value);
  }
  return cells;
}

/** One CSV field: text that a spreadsheet would run gets a leading apostrophe, then RFC 4180 quoting. */
export function csvField(value) {
  let text;
  if (value === null || value === undefined) {
    text = "";
  } else if (Array.isArray(value) && !value.some(isObject)) {
    text = value.join("; ");
  } else if (typeof value === "object") {
    text = JSON.stringify(value); // a list of documents, an empty document
  } else {
    text = String(value);
  }
  // JSON numbers (-1, 1e-7) and booleans are data, never a formula; any text may be.
  if (typeof value !== "number" && typeof value !== "boolean" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
