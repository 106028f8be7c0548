// Kavalu console: keyboard shortcuts, queue selection and auto-refresh, redaction spans, claim countdown.
// Loaded as a module from this origin only (the console's CSP allows no inline script).

const REFRESH_MS = 20000;
const INDEX_KEY = "kavalu.queue.index";

function typing(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

function keysDialog() {
  const dialog = document.getElementById("keys-dialog");
  const button = document.getElementById("show-keys");
  if (!dialog) return null;
  if (button) button.addEventListener("click", () => dialog.showModal());
  return dialog;
}

// -- queue ---------------------------------------------------------------------------------------

function queuePage() {
  let current = 0;
  const rows = () => Array.from(document.querySelectorAll("#queue-list .row"));
  const selected = new Set();

  function mark(index, focus) {
    const list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((row, i) => row.classList.toggle("current", i === current));
    if (focus) list[current].querySelector(".row-link").focus();
  }

  function showSelection() {
    rows().forEach((row) => {
      const box = row.querySelector(".select");
      box.checked = selected.has(row.dataset.id);
      row.classList.toggle("selected", box.checked);
    });
    const count = document.getElementById("selected-count");
    if (count) count.textContent = selected.size ? `${selected.size} selected` : "";
  }

  function decide(action) {
    const row = rows()[current];
    if (!row) return;
    const form = document.getElementById("single-action");
    form.action = row.dataset.decide;
    form.elements.action.value = action;
    form.elements.reason.value = action === "reject" ? document.getElementById("bulk-reason").value : "";
    // The revision shown: if the author edited the comment since, the decision is refused, not applied to text
    // the moderator never saw.
    form.elements.expected_revision.value = row.dataset.revision;
    sessionStorage.setItem(INDEX_KEY, String(current));
    form.submit();
  }

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (box instanceof HTMLInputElement && box.classList.contains("select")) {
      if (box.checked) selected.add(box.value);
      else selected.delete(box.value);
      showSelection();
    }
  });
  document.addEventListener("focusin", (event) => {
    const row = event.target instanceof Element ? event.target.closest("#queue-list .row") : null;
    if (row) mark(rows().indexOf(row), false);
  });

  async function refresh() {
    if (document.hidden || document.querySelector("dialog[open]")) return;
    let response;
    try {
      response = await fetch(window.location.href, { headers: { "X-Console-Refresh": "1" }, credentials: "same-origin" });
    } catch {
      return;
    }
    if (response.redirected && new URL(response.url).pathname === "/console/signin") {
      window.location.assign(response.url); // the session ended (idle, revoked, signed out elsewhere)
      return;
    }
    if (!response.ok || response.redirected) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const region = document.getElementById("queue-region");
    const freshRegion = fresh.getElementById("queue-region");
    if (!region || !freshRegion) return;
    for (const id of ["count-general", "count-legal"]) {
      const mine = document.getElementById(id);
      const theirs = fresh.getElementById(id);
      if (mine && theirs) mine.textContent = theirs.textContent;
    }
    if (region.innerHTML === freshRegion.innerHTML) return;
    // Keep the moderator where they were: the same comment stays current, and focus returns to it only
    // if it was inside the list (focus elsewhere, e.g. in a filter, is never moved).
    const currentId = rows()[current]?.dataset.id;
    const focusWasInList = region.contains(document.activeElement);
    region.replaceChildren(...Array.from(freshRegion.childNodes).map((node) => document.importNode(node, true)));
    const ids = rows().map((row) => row.dataset.id);
    for (const id of Array.from(selected)) if (!ids.includes(id)) selected.delete(id);
    showSelection();
    const index = ids.indexOf(currentId);
    mark(index >= 0 ? index : current, false);
    if (focusWasInList && rows()[current]) rows()[current].querySelector(".row-link").focus({ preventScroll: true });
  }

  const stored = Number.parseInt(sessionStorage.getItem(INDEX_KEY) || "0", 10);
  sessionStorage.removeItem(INDEX_KEY);
  mark(Number.isNaN(stored) ? 0 : stored, true);
  showSelection();
  window.setInterval(refresh, REFRESH_MS);
  // Other scripts (and the browser tests) may ask for a refresh now, without waiting for the timer.
  document.addEventListener("kavalu:refresh", refresh);

  return {
    j: () => mark(current + 1, true),
    k: () => mark(current - 1, true),
    a: () => decide("approve"),
    r: () => decide("reject"),
    e: () => decide("escalate"),
    x: () => {
      const row = rows()[current];
      if (!row) return;
      if (selected.has(row.dataset.id)) selected.delete(row.dataset.id);
      else selected.add(row.dataset.id);
      showSelection();
    },
  };
}

// -- comment -------------------------------------------------------------------------------------

function codePointOffset(container, node, offset) {
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  return Array.from(range.toString()).length;
}

function commentPage() {
  const text = document.getElementById("comment-text");
  const spans = document.getElementById("spans");
  const add = document.getElementById("add-selection");
  if (add && text && spans) {
    add.addEventListener("click", () => {
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed) return;
      const range = selection.getRangeAt(0);
      if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
      const start = codePointOffset(text, range.startContainer, range.startOffset);
      const end = codePointOffset(text, range.endContainer, range.endOffset);
      if (end > start) spans.value = [spans.value.trim(), `${start}-${end}`].filter(Boolean).join(", ");
    });
  }
  for (const countdown of document.querySelectorAll(".countdown")) {
    let left = Number.parseInt(countdown.dataset.seconds || "0", 10);
    const timer = window.setInterval(() => {
      left -= 1;
      if (left <= 0) {
        countdown.textContent = "no time";
        window.clearInterval(timer);
      } else {
        countdown.textContent = `${Math.floor(left / 60)} min ${left % 60} s`;
      }
    }, 1000);
  }
  const click = (id) => () => document.getElementById(id)?.click();
  return {
    a: click("approve"),
    e: click("escalate"),
    c: click("claim"),
    r: () => {
      const reason = document.getElementById("reason");
      if (reason && !reason.value) reason.focus();
      else click("reject")();
    },
  };
}

// -- keys ----------------------------------------------------------------------------------------

const dialog = keysDialog();
const page = document.body.dataset.page;
const actions = page === "queue" ? queuePage() : page === "comment" ? commentPage() : {};

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (event.key === "?" && dialog) {
    event.preventDefault();
    dialog.showModal();
    return;
  }
  const action = actions[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});
