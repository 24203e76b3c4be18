// The download buttons: every call of the view into a CSV or JSON Lines file, with progress and a cancel
// button. A passing error (a throttled API, a busy database) is waited out; a call too large for one answer is
// left out and counted; a download that stops anyway keeps what it received, to save as a partial file or to go
// on from where it stopped.

import { ApiError, explain } from "./api.js";
import { CsvFile, JsonLinesFile, MAX_ATTEMPTS, walk } from "./export.js";
import { count } from "./format.js";

const $ = (id) => document.getElementById(id);
const KINDS = {
  csv: { label: "CSV", extension: "csv", File: CsvFile },
  jsonl: { label: "JSON Lines", extension: "jsonl", File: JsonLinesFile },
};

/**
 * readPage(view, after, signal) reads one page of the view as the table does; currentView() is the view shown;
 * onUnauthorized(error) handles a 401 (the sign-in). Returns reset(): stops a download and forgets what it kept.
 */
export function setUpDownloads({ readPage, currentView, onUnauthorized }) {
  let running = null; // the AbortController of the download in progress
  let stopped = null; // the download that stopped on an error, kept to save or to go on with

  async function run(download) {
    const controller = new AbortController();
    running = controller;
    stopped = null;
    const { label } = KINDS[download.kind];
    const text = download.received ? progressText(download) : `Preparing the ${label} download…`;
    show({ running: true, text, progress: download });
    try {
      await walk(download.position, {
        fetchPage: (after, signal) => readPage(download.view, after, signal),
        onPage: (page) => {
          download.total ??= page.total;
          download.received += page.rooms.length;
          download.file.add(page.rooms);
          show({ running: true, text: progressText(download), progress: download });
        },
        onRetry: (error, attempt, pauseMs) => {
          const waiting = waitingText(error, attempt, pauseMs);
          show({ running: true, text: `${progressText(download)}. ${waiting}`, progress: download });
        },
        onSkip: () => download.skipped.push(download.received + download.skipped.length + 1),
        signal: controller.signal,
      });
      save(download.file.blob(), `${download.name}.${KINDS[download.kind].extension}`);
      show({ text: `Downloaded ${count(download.received)} calls as ${label}.${skippedText(download)}` });
    } catch (error) {
      if (error.name === "AbortError") {
        show({ text: "Download cancelled." });
      } else if (!(error instanceof ApiError)) {
        show({ text: "The download stopped." });
        throw error; // a fault of the page's own: never hidden
      } else if (error.status === 401) {
        show({ text: "" });
        onUnauthorized(error);
      } else {
        stopped = download;
        const received = download.received ? `after ${receivedText(download)}` : "before any call arrived";
        show({ text: `The download stopped ${received}: ${explain(error)}${skippedText(download)}`, stopped: download });
      }
    } finally {
      running = null;
    }
  }

  function start(kind) {
    if (running) return;
    const { File } = KINDS[kind];
    const began = new Date().toISOString().slice(0, 19).replaceAll(":", "-");
    run({
      kind,
      name: `calls-${began}`,
      view: currentView(), // the filters and order of the moment the download began, to its end
      file: new File(),
      position: { after: null, done: false },
      received: 0,
      total: null,
      skipped: [], // the places in the walk (1 = the first call) of the calls left out
    });
  }

  function savePartial() {
    const download = stopped;
    const of = download.total !== null ? `-of-${download.total}` : "";
    save(download.file.blob(), `${download.name}-partial-${download.received}${of}.${KINDS[download.kind].extension}`);
  }

  $("download-csv").addEventListener("click", () => start("csv"));
  $("download-jsonl").addEventListener("click", () => start("jsonl"));
  $("download-cancel").addEventListener("click", () => running?.abort());
  $("download-save-partial").addEventListener("click", savePartial);
  $("download-continue").addEventListener("click", () => stopped && !running && run(stopped));

  return function reset() {
    running?.abort();
    stopped = null;
    $("download").hidden = true;
  };
}

function progressText(download) {
  return `Downloading: ${receivedText(download)}`;
}

function receivedText({ received, total }) {
  return total ? `${count(received)} of ${count(total)} calls` : `${count(received)} calls`;
}

function waitingText(error, attempt, pauseMs) {
  const reason =
    { 0: "The server did not answer", 429: "The server is busy" }[error.status] ??
    (error.status === 503 ? "The call history is unavailable for a moment" : `The server failed (status ${error.status})`);
  const when = pauseMs >= 1000 ? ` in ${Math.ceil(pauseMs / 1000)} s` : "";
  return `${reason}: trying again${when} (attempt ${attempt + 1} of ${MAX_ATTEMPTS}).`;
}

function skippedText({ skipped }) {
  if (!skipped.length) return "";
  const places = skipped.map(count).join(", ");
  return skipped.length === 1
    ? ` 1 call was left out, too large for one answer: number ${places} in this order.`
    : ` ${skipped.length} calls were left out, too large for one answer: numbers ${places} in this order.`;
}

/** The download's line: its text, the progress bar and cancel while it runs, what to do when it stopped. */
function show({ running = false, text, progress = null, stopped = null }) {
  $("download").hidden = !text;
  $("download-text").textContent = text;
  $("download-progress").hidden = !running;
  $("download-cancel").hidden = !running;
  $("download-csv").disabled = running;
  $("download-jsonl").disabled = running;
  $("download-save-partial").hidden = !stopped?.received;
  $("download-save-partial").textContent = stopped ? `Save the ${count(stopped.received)} calls received` : "";
  $("download-continue").hidden = !stopped;
  if (progress?.total) {
    $("download-progress").max = progress.total;
    $("download-progress").value = Math.min(progress.received, progress.total);
  } else if (progress) {
    $("download-progress").removeAttribute("value"); // no total yet: a bar that only says it is at work
  }
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
