// The exam attempt page: autosave, the server-owned countdown, offline safety.
// Without this file the page still works: the form posts all answers.
(function () {
  "use strict";
  var root = document.querySelector("[data-attempt]");
  if (!root) { return; }
  document.documentElement.classList.add("exam-js");

  var attemptId = root.dataset.attempt;
  var saveUrl = root.dataset.saveUrl;
  var csrf = root.dataset.csrf;
  var seq = parseInt(root.dataset.seqBase, 10);
  var storeKey = "presales-attempt-" + attemptId;
  var messages = document.querySelector("[data-messages]").dataset;
  var statusEl = document.querySelector("[data-status]");
  var offlineEl = document.querySelector("[data-offline]");
  var signedOutEl = document.querySelector("[data-signed-out]");
  var staleEl = document.querySelector("[data-stale-banner]");
  var refusedEl = document.querySelector("[data-refused]");
  var serverErrorEl = document.querySelector("[data-server-error]");
  var loginPath = new URL(root.dataset.loginUrl, window.location.href).pathname;
  var form = document.querySelector("[data-exam-form]");
  var submitForm = document.querySelector("[data-submit-form]");
  var dialog = document.querySelector("[data-confirm-dialog]");
  var pending = loadPending();       // position -> {response, flagged}
  var timers = {};                   // position -> debounce timer
  var sending = false;
  var finished = false;
  var retryTimer = null;
  var halted = false;                // the server refused a save: no retry until a reload
  var failures = 0;                  // server errors in a row: each retry waits longer

  // ---- local safety net -------------------------------------------------
  function loadPending() {
    try { return JSON.parse(window.localStorage.getItem(storeKey)) || {}; }
    catch (e) { return {}; }
  }
  function storePending() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* full */ }
  }

  // ---- reading and writing answers --------------------------------------
  function section(position) { return form.querySelector('[data-question="' + position + '"]'); }

  function readResponse(sec) {
    var type = sec.dataset.type;
    if (type === "single" || type === "truefalse") {
      var chosen = sec.querySelector("input[type=radio]:checked");
      return chosen ? parseInt(chosen.value, 10) : null;
    }
    if (type === "multiple") {
      var values = Array.prototype.map.call(sec.querySelectorAll("input[type=checkbox][name]:checked"),
        function (el) { return parseInt(el.value, 10); });
      return values.length ? values : null;
    }
    if (type === "matching") {
      var map = {}, any = false;
      sec.querySelectorAll("select[data-left]").forEach(function (select) {
        if (select.value !== "") { map[select.dataset.left] = parseInt(select.value, 10); any = true; }
      });
      return any ? map : null;
    }
    if (type === "ordering") {
      return Array.prototype.map.call(sec.querySelectorAll("[data-item]"),
        function (li) { return parseInt(li.dataset.item, 10); });
    }
    var field = sec.querySelector("textarea, input[type=text]");
    return field && field.value.trim() !== "" ? field.value : null;
  }

  function writeResponse(sec, response) {
    var type = sec.dataset.type;
    if (type === "single" || type === "truefalse" || type === "multiple") {
      sec.querySelectorAll("input[name]").forEach(function (el) {
        var v = parseInt(el.value, 10);
        el.checked = Array.isArray(response) ? response.indexOf(v) >= 0 : response === v;
      });
    } else if (type === "matching") {
      sec.querySelectorAll("select[data-left]").forEach(function (select) {
        var v = response && response[select.dataset.left];
        select.value = v === undefined || v === null ? "" : String(v);
      });
    } else if (type === "ordering" && Array.isArray(response)) {
      var list = sec.querySelector("[data-ordering]");
      response.forEach(function (index) {
        var li = list.querySelector('[data-item="' + index + '"]');
        if (li) { list.appendChild(li); }
      });
      renumber(list);
    } else {
      var field = sec.querySelector("textarea, input[type=text]");
      if (field) { field.value = response || ""; }
    }
  }

  function isFlagged(sec) { var f = sec.querySelector("[data-flag]"); return !!(f && f.checked); }

  // ---- saving -------------------------------------------------------------
  function changed(sec) {
    var position = sec.dataset.question;
    // The sequence number is fixed when the answer changes, not when it is sent:
    // an answer kept offline and re-sent after a reload must not outrank a newer
    // answer saved meanwhile from another device.
    seq += 1;
    pending[position] = { response: readResponse(sec), flagged: isFlagged(sec), seq: seq };
    storePending();
    updateNavigator(sec);
    setStatus(messages.saving);
    clearTimeout(timers[position]);
    timers[position] = setTimeout(flush, 800);
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " " + kind : "");
  }

  function flush() {
    if (sending || finished || halted) { return; }
    var positions = Object.keys(pending);
    if (!positions.length) { return; }
    var position = positions[0];
    var entry = pending[position];
    var mySeq = entry.seq || ++seq;
    sending = true;
    fetch(saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": csrf },
      body: JSON.stringify({ position: parseInt(position, 10), response: entry.response,
                             flagged: entry.flagged, seq: mySeq })
    }).then(function (reply) {
      if (reply.redirected && new URL(reply.url).pathname === loginPath) {
        sending = false;  // sent to the sign-in page: the session has ended
        signedOut();
        return null;
      }
      return reply.json().catch(function () { return {}; }).then(function (body) {
        sending = false;
        handleReply(reply.status, body || {}, position, entry);
      });
    }, function () {
      sending = false;  // no reply at all: the network is down
      goOffline();
    });
  }

  // One banner at a time says why answers are not being saved.
  function showBanner(el) {
    [offlineEl, signedOutEl, serverErrorEl].forEach(function (banner) {
      banner.hidden = banner !== el;
    });
  }

  function handleReply(status, body, position, entry) {
    if (typeof body.remaining === "number") { syncClock(body.remaining); }
    if (status === 200) {
      if (pending[position] === entry) { delete pending[position]; storePending(); }
      failures = 0;
      showBanner(null);
      if (Object.keys(pending).length) { flush(); } else { setStatus(messages.saved); }
      return;
    }
    if (status === 401 || body.error === "signed_out") { signedOut(); return; }
    if (status === 409) {
      // Another page or tab saved a newer answer: never overwrite it; say so until reload.
      delete pending[position]; storePending();
      staleEl.hidden = false;
      setStatus(messages.stale, "error");
      if (Object.keys(pending).length) { flush(); }
      return;
    }
    if (status >= 500) { serverError(); return; }
    if (status >= 400) { refused(status, body); return; }
    goOffline();  // an unexpected reply (a proxy, a captive portal): keep and retry
  }

  function goOffline() {
    showBanner(offlineEl);
    setStatus(messages.unsaved, "warn");
    retryLater(5000);
  }

  function signedOut() {
    // Keep retrying: once the person signs in again in another tab, saving resumes.
    showBanner(signedOutEl);
    setStatus(messages.sessionEndedText, "warn");
    retryLater(5000);
  }

  function serverError() {
    failures += 1;
    var seconds = Math.min(60, 5 * Math.pow(2, failures - 1));  // 5, 10, 20, 40, 60, 60…
    showBanner(serverErrorEl);
    setStatus(messages.serverErrorText.replace("__N__", String(seconds)), "warn");
    retryLater(seconds * 1000);
  }

  function refused(status, body) {
    // The server said no and why (too late, a page it no longer accepts…): retrying
    // would get the same answer. The answer stays on this device until a reload.
    halted = true;
    clearTimeout(retryTimer);
    showBanner(null);
    var message = body.message || messages.refusedText;
    refusedEl.querySelector("[data-refused-message]").textContent = message;
    var closed = status === 410;
    if (closed) {  // the attempt is over: nothing here will be saved any more
      finished = true;
      pending = {};
      try { window.localStorage.removeItem(storeKey); } catch (e) { /* unavailable */ }
    }
    refusedEl.querySelector("[data-result-link]").hidden = !closed;
    refusedEl.querySelector("[data-reload-link]").hidden = closed;
    refusedEl.hidden = false;
    setStatus(message, "error");
  }

  function retryLater(delay) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, delay);
  }

  window.addEventListener("online", flush);

  // ---- the clock: the server's remaining time, counted with a monotonic clock ----
  var deadline = performance.now() + parseInt(root.dataset.remaining, 10) * 1000;
  var countdownEl = document.querySelector("[data-countdown]");
  function syncClock(remainingSeconds) { deadline = performance.now() + remainingSeconds * 1000; }
  function tick() {
    var left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdownEl.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" +
      String(s).padStart(2, "0");
    countdownEl.parentNode.classList.toggle("low", left <= 300);
    if (left <= 0 && !finished) { submitAttempt(true); }
  }
  setInterval(tick, 250);
  tick();

  // atDeadline: the countdown ran out (the server records that time, not the person,
  // ended the attempt); otherwise the person chose to submit.
  function submitAttempt(atDeadline) {
    finished = true;
    clearTimeout(retryTimer);
    if (atDeadline) { setStatus(messages.closed, "warn"); } else { setStatus(messages.submitting); }
    submitForm.querySelector("[name=ended]").value = atDeadline ? "deadline" : "";
    // One last attempt to save what is pending, then submit: the server grades
    // what it has, and finalises the attempt at the deadline in any case.
    var last = Object.keys(pending).map(function (position) {
      return fetch(saveUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ position: parseInt(position, 10),
                               seq: pending[position].seq || ++seq,
                               response: pending[position].response,
                               flagged: pending[position].flagged })
      }).catch(function () { return null; });
    });
    Promise.all(last).then(function () { submitForm.submit(); });
  }

  // ---- navigator, flags, ordering, word count ------------------------------
  function updateNavigator(sec) {
    var link = document.querySelector('[data-nav="' + sec.dataset.question + '"]');
    if (!link) { return; }
    var response = readResponse(sec);
    var answered = sec.dataset.type === "ordering" ? !!pendingOrSaved(sec) : response !== null;
    link.classList.toggle("answered", answered);
    link.classList.toggle("flagged", isFlagged(sec));
  }
  function pendingOrSaved(sec) {
    return pending[sec.dataset.question] || sec.dataset.touched || document.querySelector(
      '[data-nav="' + sec.dataset.question + '"].answered');
  }

  function renumber(list) {
    Array.prototype.forEach.call(list.children, function (li, i) {
      var input = li.querySelector("input[type=number]");
      if (input) { input.value = i + 1; }
    });
  }

  function countWords(sec) {
    var out = sec.querySelector("[data-words]");
    var field = sec.querySelector("textarea");
    if (!out || !field) { return; }
    var text = field.value.trim();
    var cjk = (text.match(/[\u3400-\u9fff]/g) || []).length;
    var words = text.replace(/[\u3400-\u9fff]/g, " ").split(/\s+/).filter(Boolean).length;
    out.textContent = messages.words.replace("0", String(cjk + words));
  }

  form.addEventListener("input", function (event) {
    var sec = event.target.closest("[data-question]");
    if (sec && !event.target.matches("input[type=number]")) { countWords(sec); changed(sec); }
  });
  form.addEventListener("change", function (event) {
    var sec = event.target.closest("[data-question]");
    if (sec && (event.target.matches("[data-flag], select, input[type=radio], input[type=checkbox]"))) {
      changed(sec);
    }
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) { return; }
    var li = button.closest("li"), list = li.parentNode;
    if (button.dataset.move === "up" && li.previousElementSibling) { list.insertBefore(li, li.previousElementSibling); }
    if (button.dataset.move === "down" && li.nextElementSibling) { list.insertBefore(li.nextElementSibling, li); }
    renumber(list);
    var sec = li.closest("[data-question]");
    sec.dataset.touched = "1";
    changed(sec);
    button.focus();
  });

  // ---- submit with a confirmation listing what is open ----------------------
  var submitButton = form.querySelector("[data-submit]");
  submitButton.addEventListener("click", function (event) {
    event.preventDefault();
    var unanswered = [], flagged = [];
    form.querySelectorAll("[data-question]").forEach(function (sec) {
      var link = document.querySelector('[data-nav="' + sec.dataset.question + '"]');
      if (!link.classList.contains("answered")) { unanswered.push(sec.dataset.question); }
      if (isFlagged(sec)) { flagged.push(sec.dataset.question); }
    });
    dialog.querySelector("[data-unanswered]").textContent = unanswered.length ?
      messages.unanswered.replace("__LIST__", unanswered.join(", ")) : messages.none;
    dialog.querySelector("[data-flagged]").textContent = flagged.length ?
      messages.flagged.replace("__LIST__", flagged.join(", ")) : "";
    dialog.showModal();
  });
  dialog.querySelector("[data-confirm-no]").addEventListener("click", function () { dialog.close(); });
  dialog.querySelector("[data-confirm-yes]").addEventListener("click", function () {
    dialog.close();
    submitAttempt(false);
  });

  // ---- on load: re-apply and re-send anything not yet saved -----------------
  Object.keys(pending).forEach(function (position) {
    var sec = section(position);
    if (!sec) { delete pending[position]; return; }
    writeResponse(sec, pending[position].response);
    var flag = sec.querySelector("[data-flag]");
    if (flag) { flag.checked = !!pending[position].flagged; }
    updateNavigator(sec);
  });
  storePending();
  form.querySelectorAll("[data-question]").forEach(countWords);
  if (Object.keys(pending).length) { flush(); }
})();
