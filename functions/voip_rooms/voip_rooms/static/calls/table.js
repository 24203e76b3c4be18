// The table of calls. Every value a room holds is written as text (textContent), never as markup: a caller
// named "<img src=x onerror=alert(1)>" reads as exactly those characters. Each value is its own bidirectional
// isolate (dir="auto"): a right-to-left name reads right, and a direction control in one (a right-to-left
// override) cannot reorder the text around it.

import { clock, localDateTimeShort, utcDateTime, isIsoDate } from "./format.js";

// One function per column, in the order of the table's header cells.
const COLUMNS = [
  (room, cell, onOpen) => nameButton(cell, room, onOpen),
  (room, cell) => text(cell, room.v?.phone),
  (room, cell) => text(cell, room.servedBy?.username),
  (room, cell) => text(cell, room.queue),
  (room, cell) => date(cell, room.ts),
  (room, cell) => number(cell, clock(room.callDuration)),
  (room, cell) => number(cell, clock(room.callWaitingTime)),
  (room, cell) => text(cell, room.direction),
  (room, cell) => text(cell, room.open === true ? "Open" : "Closed"),
  (room, cell) => date(cell, room.closedAt),
  (room, cell) => tags(cell, room.tags),
];

/** The rows of one page; onOpen(room, button) opens a room's details. */
export function renderRows(tbody, rooms, onOpen) {
  const rows = rooms.map((room) => {
    const row = document.createElement("tr");
    row.dataset.roomId = String(room._id);
    for (const fill of COLUMNS) {
      const cell = document.createElement("td");
      fill(room, cell, onOpen);
      row.append(cell);
    }
    return row;
  });
  tbody.replaceChildren(...rows);
}

/** The header cells: a button per sortable column, aria-sort on the one the rows are ordered by. */
export function renderSortHeaders(headerCells, sort, onSort) {
  for (const cell of headerCells) {
    const key = cell.dataset.sort;
    if (!key) continue;
    let button = cell.querySelector("button");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      const label = document.createElement("span");
      label.textContent = cell.textContent;
      const arrow = document.createElement("span");
      arrow.className = "sort-arrow";
      arrow.setAttribute("aria-hidden", "true");
      button.append(label, arrow);
      cell.replaceChildren(button);
      button.addEventListener("click", () => onSort(key));
    }
    const active = sort.key === key;
    cell.setAttribute("aria-sort", active ? (sort.descending ? "descending" : "ascending") : "none");
    button.querySelector(".sort-arrow").textContent = active ? (sort.descending ? "▼" : "▲") : "";
  }
}

function nameButton(cell, room, onOpen) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "room-name";
  button.dir = "auto";
  button.textContent = room.fname || room.name || String(room._id);
  button.title = button.textContent; // a long name is cut short in the table
  button.addEventListener("click", () => onOpen(room, button));
  cell.append(button);
}

function text(cell, value) {
  cell.dir = "auto";
  cell.textContent = value === undefined || value === null ? "" : String(value);
}

function tags(cell, value) {
  if (!Array.isArray(value)) {
    text(cell, value);
    return;
  }
  value.forEach((tag, index) => {
    const span = document.createElement("span");
    span.className = "tag";
    span.dir = "auto";
    span.textContent = String(tag);
    cell.append(...(index ? [", ", span] : [span]));
  });
}

function number(cell, value) {
  cell.className = "number";
  cell.textContent = value;
}

function date(cell, iso) {
  if (!isIsoDate(iso)) return;
  const time = document.createElement("time");
  time.dateTime = iso;
  time.title = utcDateTime(iso);
  time.textContent = localDateTimeShort(iso);
  cell.append(time);
}
