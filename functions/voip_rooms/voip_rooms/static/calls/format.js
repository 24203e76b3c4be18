// How values read on the page: dates in the browser's time zone (UTC beside them), durations as a clock.

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

// The API writes every date as ISO 8601 UTC with milliseconds and "Z".
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const LOCAL = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const LOCAL_SHORT = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });

export function isIsoDate(value) {
  return typeof value === "string" && ISO_DATE.test(value);
}

/** "20 Nov 2026, 06:43:07" in the browser's time zone. */
export function localDateTime(iso) {
  return LOCAL.format(new Date(iso));
}

/** The compact form for table cells. */
export function localDateTimeShort(iso) {
  return isIsoDate(iso) ? LOCAL_SHORT.format(new Date(iso)) : "";
}

// Year, month, day, hour, minute and second, each as two digits or more, in the browser's time zone.
const PARTS = new Intl.DateTimeFormat("en-US", {
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  hourCycle: "h23",
});

/** "2026-11-20 11:13:07" in the browser's time zone: what spreadsheets read as a date and time. */
export function spreadsheetDateTime(iso) {
  const part = Object.fromEntries(PARTS.formatToParts(new Date(iso)).map(({ type, value }) => [type, value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

/** "2026-11-20 05:43:07.947 UTC": the stored instant, unambiguous. */
export function utcDateTime(iso) {
  return `${iso.replace("T", " ").replace("Z", "")} UTC`;
}

/** Milliseconds as h:mm:ss or m:ss; nothing for a missing or non-numeric value (a NaN stored as null). */
export function clock(milliseconds) {
  if (typeof milliseconds !== "number" || !Number.isFinite(milliseconds) || milliseconds < 0) {
    return "";
  }
  const seconds = Math.round(milliseconds / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

export function count(number) {
  return number.toLocaleString();
}
