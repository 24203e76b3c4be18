// A room's details: every field the API returned, by its path, as text; dates in the browser's time zone
// with the stored UTC instant beside them; durations as a clock beside the stored number.

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

/** Fills the dialog with the room's fields and opens it; focus returns to opener when it closes. */
export function showDetails(dialog, room, opener) {
  dialog.querySelector("#details-title").textContent = room.fname || room.name || String(room._id);
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
    description.textContent = value.length ? value.join(", ") : "(none)";
  } else if (typeof value === "object") {
    description.textContent = JSON.stringify(value); // a list of documents, an empty document
  } else {
    description.textContent = String(value);
  }
}
