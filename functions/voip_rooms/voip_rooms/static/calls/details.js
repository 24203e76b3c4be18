// A room's details: every field the API returned, by its path, as text; dates in the browser's time zone
// with the stored UTC instant beside them; durations as a clock beside the stored number. Characters that do not
// show, or that reorder the text around them (a right-to-left override in a name), show as what they are.

import { clock, isIsoDate, localDateTime, utcDateTime } from "./format.js";
import { flatten } from "./export.js";

// Names people use for the fields a call-center room holds; any other field shows its path alone.
const LABELS = {
  t: "Type",
  fname: "Name",
  name: "Room name",
  ts: "Started",
  callStarted: "Answered",
  closedAt: "Closed",
  callDuration: "Duration",
  callWaitingTime: "Waiting time",
  callTotalHoldTime: "Time on hold (s)",
  queue: "Queue",
  direction: "Direction",
  open: "Open",
  tags: "Tags",
  closer: "Closed by",
  "v.phone": "Phone",
  "v.username": "Visitor",
  "v._id": "Visitor ID",
  "servedBy.username": "Agent",
  "servedBy._id": "Agent ID",
};
const DURATIONS_MS = new Set(["callDuration", "callWaitingTime"]);
// Control characters, and the formatting characters that change the order or look of text without showing:
// direction marks, embeddings, overrides and isolates, zero-width spaces. (Joiners are left alone: scripts and
// emoji need them.)
const HIDDEN = /[\u0000-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
const HIDDEN_NAMES = {
  "\u061C": "Arabic letter mark",
  "\u200B": "zero width space",
  "\u200E": "left-to-right mark",
  "\u200F": "right-to-left mark",
  "\u202A": "left-to-right embedding",
  "\u202B": "right-to-left embedding",
  "\u202C": "pop directional formatting",
  "\u202D": "left-to-right override",
  "\u202E": "right-to-left override",
  "\u2060": "word joiner",
  "\u2066": "left-to-right isolate",
  "\u2067": "right-to-left isolate",
  "\u2068": "first strong isolate",
  "\u2069": "pop directional isolate",
  "\uFEFF": "zero width no-break space",
};

/** Fills the dialog with the room's fields and opens it; focus returns to opener when it closes. */
export function showDetails(dialog, room, opener) {
  showText(dialog.querySelector("#details-title"), room.fname || room.name || String(room._id));
  const entries = [];
  for (const [path, value] of flatten(room)) {
    const term = document.createElement("dt");
    const code = document.createElement("code");
    code.textContent = path;
    if (LABELS[path]) {
      term.append(`${LABELS[path]} `, code);
    } else {
      term.append(code);
    }
    const description = document.createElement("dd");
    describe(description, path, value);
    entries.push(term, description);
  }
  dialog.querySelector("#details-fields").replaceChildren(...entries);
  dialog.addEventListener("close", () => opener?.focus(), { once: true });
  dialog.showModal();
}

function describe(description, path, value) {
  if (isIsoDate(value)) {
    const local = document.createElement("time");
    local.dateTime = value;
    local.textContent = localDateTime(value);
    const utc = document.createElement("span");
    utc.className = "utc";
    utc.textContent = utcDateTime(value);
    description.append(local, utc);
  } else if (DURATIONS_MS.has(path) && typeof value === "number") {
    description.textContent = `${clock(value)} (${value.toLocaleString()} ms)`;
  } else if (value === null) {
    description.textContent = "null";
    description.className = "empty";
  } else if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    if (!value.length) description.textContent = "(none)";
    value.forEach((item, index) => {
      const span = document.createElement("span");
      showText(span, item);
      description.append(...(index ? [", ", span] : [span]));
    });
  } else if (typeof value === "object") {
    showText(description, JSON.stringify(value)); // a list of documents, an empty document
  } else {
    showText(description, String(value));
  }
}

/** Text as an isolate of its own direction, with each hidden character shown by its code point and name. */
function showText(element, text) {
  element.dir = "auto";
  const parts = [];
  let from = 0;
  for (const match of text.matchAll(HIDDEN)) {
    const code = match[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    const mark = document.createElement("span");
    mark.className = "hidden-character";
    mark.title = HIDDEN_NAMES[match[0]] ?? "control character";
    mark.textContent = `U+${code}`;
    parts.push(text.slice(from, match.index), mark);
    from = match.index + match[0].length;
  }
  parts.push(text.slice(from));
  element.replaceChildren(...parts.filter((part) => part !== ""));
}
