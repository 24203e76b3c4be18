// Downloads of every call matching the filters: the API walked with its cursor (after = the previous
// page's next), page by page into a file, as CSV for spreadsheets or as JSON Lines (the rooms as the API
// returns them, one per line).

// Columns every CSV starts with, in this order; any other field a room holds follows, as first met.
const LEADING_COLUMNS = [
  "_id", "fname", "name", "v.phone", "v._id", "v.username", "servedBy._id", "servedBy.username",
  "queue", "direction", "open", "ts", "callStarted", "callDuration", "callWaitingTime", "callTotalHoldTime",
  "closedAt", "closer", "closedBy.username", "tags", "departmentId",
];
// What a spreadsheet would run as a formula (or as a command, after a tab or carriage return).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Reads every page, from the first, and hands each to onPage(body). fetchPage(after, signal) asks for one
 * page; signal (an AbortController's) stops the walk between or during pages.
 */
export async function walk(fetchPage, onPage, signal) {
  let after = null;
  do {
    const body = await fetchPage(after, signal);
    onPage(body);
    after = body.next;
  } while (after);
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

/**
 * Rooms as CSV (RFC 4180, UTF-8 with a byte-order mark for spreadsheets): one column per field, nested
 * fields by their dotted path (v.phone), lists joined with "; ". Rows are kept as blobs page by page (the
 * browser may keep them on disk); a field first met on a later page adds a column at the end, which the
 * rows before it leave empty.
 */
export class CsvFile {
  constructor() {
    this.columns = [...LEADING_COLUMNS];
    this.parts = [];
  }

  add(rooms) {
    const lines = rooms.map((room) => {
      const cells = flatten(room);
      for (const path of cells.keys()) if (!this.columns.includes(path)) this.columns.push(path);
      return this.columns.map((path) => csvField(cells.get(path))).join(",");
    });
    if (lines.length) this.parts.push(new Blob([`${lines.join("\r\n")}\r\n`]));
  }

  blob() {
    const header = `\uFEFF${this.columns.map((column) => csvField(column)).join(",")}\r\n`;
    return new Blob([header, ...this.parts], { type: "text/csv;charset=utf-8" });
  }
}

/** A room's fields as path → text, depth first, in the room's own order. */
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
