// The exam attempt page: autosave, the server-owned countdown, offline safety.
// Without this script the page still works: the form posts all answers.
import { AnswerStore } from "./store.js";
import { SaveQueue } from "./queue.js";
import { Countdown, LOW_SECONDS, formatClock } from "./clock.js";
import { countWords, isFlagged, readResponse, renumber, writeResponse } from "./answers.js";

const $ = (selector, within = document) => within.querySelector(selector);
const root = $("[data-attempt]");
if (root) { start(root); }

function start(root) {
  document.documentElement.classList.add("exam-js");
  const page = wirePage(root);
  wireForm(page);
  page.submitAttempt = submitter(page);
  wireConfirm(page);
  restoreKept(page);
  window.addEventListener("online", () => page.queue.flush());
  const countdown = page.countdown;
  const tick = () => {
    const left = countdown.secondsLeft();
    page.countdownEl.textContent = formatClock(left);
    page.countdownEl.parentNode.classList.toggle("low", left <= LOW_SECONDS);
    if (left <= 0 && !page.queue.finished) { page.submitAttempt(true); }
  };
  setInterval(tick, 250);
  tick();
  if (page.store.size) { page.queue.flush(); }
}

function wirePage(root) {
  const page = {
    messages: $("[data-messages]").dataset,
    form: $("[data-exam-form]"),
    statusEl: $("[data-status]"),
    countdownEl: $("[data-countdown]"),
    countdown: new Countdown(parseInt(root.dataset.remaining, 10)),
    store: new AnswerStore(root.dataset.attempt),
  };
  page.setStatus = (text, kind) => {
    page.statusEl.textContent = text;
    page.statusEl.className = `save-status${kind ? ` ${kind}` : ""}`;
  };
  page.queue = new SaveQueue({
    store: page.store, url: root.dataset.saveUrl, csrf: root.dataset.csrf,
    loginPath: new URL(root.dataset.loginUrl, window.location.href).pathname,
    seq: parseInt(root.dataset.seqBase, 10),
    report: banners(page),
    onRemaining: (seconds) => page.countdown.sync(seconds),
  });
  return page;
}

/** What the page says for each outcome of a save; one banner at a time says why not. */
function banners(page) {
  const { messages, setStatus } = page;
  const offline = $("[data-offline]"), signedOut = $("[data-signed-out]");
  const serverError = $("[data-server-error]");
  const show = (el) => [offline, signedOut, serverError].forEach((banner) => {
    banner.hidden = banner !== el;
  });
  const outcomes = {
    "saved": ({ more }) => { show(null); if (!more) { setStatus(messages.saved); } },
    "stale": () => { $("[data-stale-banner]").hidden = false; setStatus(messages.stale, "error"); },
    "offline": () => { show(offline); setStatus(messages.unsaved, "warn"); },
    "signed-out": () => { show(signedOut); setStatus(messages.sessionEndedText, "warn"); },
    "server-error": ({ seconds, message }) => {
      const text = $("[data-server-error-message]", serverError);
      text.textContent = message || text.dataset.default;
      show(serverError);
      setStatus(messages.serverErrorText.replace("__N__", String(seconds)), "warn");
    },
    "refused": ({ message }) => refused(page, show, message, false),
    "closed": ({ message }) => refused(page, show, message, true),
  };
  return (kind, detail) => outcomes[kind](detail);
}

function refused(page, show, serverMessage, closed) {
  show(null);
  const el = $("[data-refused]");
  const message = serverMessage || page.messages.refusedText;
  $("[data-refused-message]", el).textContent = message;
  $("[data-result-link]", el).hidden = !closed;
  $("[data-reload-link]", el).hidden = closed;
  el.hidden = false;
  page.setStatus(message, "error");
}

// ---- answers change: keep, mark in the navigator, send --------------------------
function changed(page, section) {
  const position = section.dataset.question;
  page.queue.change(position, readResponse(section), isFlagged(section));
  updateNavigator(page, section);
  page.setStatus(page.messages.saving);
}

function navLink(section) { return $(`[data-nav="${section.dataset.question}"]`); }

function updateNavigator(page, section) {
  const link = navLink(section);
  if (!link) { return; }
  // An ordering always has an order: it counts as answered once it was touched or kept.
  const answered = section.dataset.type === "ordering"
    ? Boolean(page.store.get(section.dataset.question) || section.dataset.touched
              || link.classList.contains("answered"))
    : readResponse(section) !== null;
  link.classList.toggle("answered", answered);
  link.classList.toggle("flagged", isFlagged(section));
}

function showWordCount(page, section) {
  const out = $("[data-words]", section);
  const field = $("textarea", section);
  if (out && field) {
    out.textContent = page.messages.words.replace("0", String(countWords(field.value)));
  }
}

function wireForm(page) {
  const { form } = page;
  form.addEventListener("input", (event) => {
    const section = event.target.closest("[data-question]");
    if (section && !event.target.matches("input[type=number]")) {
      showWordCount(page, section);
      changed(page, section);
    }
  });
  form.addEventListener("change", (event) => {
    const section = event.target.closest("[data-question]");
    if (section && event.target.matches(
      "[data-flag], select, input[type=radio], input[type=checkbox]")) {
      changed(page, section);
    }
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move]");
    if (button) { move(page, button); }
  });
}

function move(page, button) {
  const li = button.closest("li"), list = li.parentNode;
  if (button.dataset.move === "up" && li.previousElementSibling) {
    list.insertBefore(li, li.previousElementSibling);
  }
  if (button.dataset.move === "down" && li.nextElementSibling) {
    list.insertBefore(li.nextElementSibling, li);
  }
  renumber(list);
  const section = li.closest("[data-question]");
  section.dataset.touched = "1";
  changed(page, section);
  button.focus();
}

// ---- submit, by the person (with a confirmation) or by the deadline ---------------
function submitter(page) {
  const submitForm = $("[data-submit-form]");
  const { messages } = page;
  // atDeadline: the countdown ran out (the server records that time, not the person,
  // ended the attempt); otherwise the person chose to submit.
  return (atDeadline) => {
    page.setStatus(atDeadline ? messages.closed : messages.submitting, atDeadline ? "warn" : "");
    $("[name=ended]", submitForm).value = atDeadline ? "deadline" : "";
    // One last attempt to save what is kept, then submit: the server grades what it
    // has, and finalises the attempt at the deadline in any case.
    page.queue.finish().then(() => submitForm.submit());
  };
}

/** The confirmation lists what is still open: unanswered and flagged questions. */
function wireConfirm(page) {
  const { form, messages } = page;
  const dialog = $("[data-confirm-dialog]");
  const list = (sections) => sections.map((s) => s.dataset.question).join(", ");
  $("[data-submit]", form).addEventListener("click", (event) => {
    event.preventDefault();
    const sections = Array.from(form.querySelectorAll("[data-question]"));
    const unanswered = sections.filter((s) => !navLink(s).classList.contains("answered"));
    const flagged = sections.filter(isFlagged);
    $("[data-unanswered]", dialog).textContent = unanswered.length
      ? messages.unanswered.replace("__LIST__", list(unanswered)) : messages.none;
    $("[data-flagged]", dialog).textContent = flagged.length
      ? messages.flagged.replace("__LIST__", list(flagged)) : "";
    dialog.showModal();
  });
  $("[data-confirm-no]", dialog).addEventListener("click", () => dialog.close());
  $("[data-confirm-yes]", dialog).addEventListener("click", () => {
    dialog.close();
    page.submitAttempt(false);
  });
}

// ---- on load: re-apply and re-send anything not yet saved --------------------------
function restoreKept(page) {
  page.store.positions().forEach((position) => {
    const section = $(`[data-question="${position}"]`, page.form);
    if (!section) { page.store.delete(position); return; }
    const entry = page.store.get(position);
    writeResponse(section, entry.response);
    const flag = $("[data-flag]", section);
    if (flag) { flag.checked = Boolean(entry.flagged); }
    updateNavigator(page, section);
  });
  page.store.persist();
  page.form.querySelectorAll("[data-question]").forEach((s) => showWordCount(page, s));
}
