// The save queue: sends one kept answer at a time, drops it only once the server has
// acknowledged it, and tells apart why a save failed. No DOM: the page listens.

export const DEBOUNCE_MS = 800;
export const RETRY_MS = 5000;

/** Seconds to wait after the n-th server error in a row: 5, 10, 20, 40, 60, 60… */
export function serverErrorDelay(failures) {
  return Math.min(60, 5 * 2 ** (failures - 1));
}

/** What a reply means for the answer sent: the page and the queue act on the kind. */
export function classifyReply(status, body) {
  if (status === 200) { return "saved"; }
  if (status === 401 || body.error === "signed_out") { return "signed-out"; }
  // Another page or tab saved a newer answer: never overwrite it.
  if (status === 409) { return "stale"; }
  if (status >= 500) { return "server-error"; }
  if (status === 410) { return "closed"; }   // the attempt is over
  if (status >= 400) { return "refused"; }   // the server said no and why
  return "offline";  // an unexpected reply (a proxy, a captive portal): keep and retry
}

const browserFetch = (url, init) => window.fetch(url, init);
const browserTimers = {
  setTimeout: (callback, delay) => window.setTimeout(callback, delay),
  clearTimeout: (handle) => window.clearTimeout(handle),
};

export class SaveQueue {
  /**
   * report(kind, detail) hears every outcome: "saved" {more}, "stale" {more},
   * "signed-out", "offline", "server-error" {seconds}, "refused" and "closed" {message}.
   * onRemaining(seconds) hears the server's remaining time from any reply.
   */
  constructor({ store, url, csrf, loginPath, seq, report, onRemaining,
                fetch = browserFetch, timers = browserTimers }) {
    Object.assign(this, { store, url, csrf, loginPath, seq, report, onRemaining, fetch, timers });
    this.debounce = {};        // position -> timer: typing sends once it pauses
    this.retryTimer = null;
    this.sending = false;
    this.finished = false;     // submitted or closed: nothing more is sent
    this.halted = false;       // the server refused a save: no retry until a reload
    this.failures = 0;         // server errors in a row: each retry waits longer
  }

  /** A changed answer is kept at once and sent when the typing pauses. */
  change(position, response, flagged) {
    // The sequence number is fixed when the answer changes, not when it is sent:
    // an answer kept offline and re-sent after a reload must not outrank a newer
    // answer saved meanwhile from another device.
    this.seq += 1;
    this.store.set(position, { response, flagged, seq: this.seq });
    this.timers.clearTimeout(this.debounce[position]);
    this.debounce[position] = this.timers.setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** Send the first kept answer, unless one is on its way or saving has stopped. */
  flush() {
    if (this.sending || this.finished || this.halted) { return; }
    const position = this.store.positions()[0];
    if (position === undefined) { return; }
    const entry = this.store.get(position);
    this.sending = true;
    this.post(position, entry).then(
      (reply) => this.received(reply, position, entry),
      () => {  // no reply at all: the network is down
        this.sending = false;
        this.outcome("offline");
      });
  }

  post(position, entry) {
    return this.fetch(this.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": this.csrf },
      body: JSON.stringify({ position: parseInt(position, 10), response: entry.response,
                             flagged: entry.flagged, seq: entry.seq || ++this.seq }),
    });
  }

  received(reply, position, entry) {
    if (reply.redirected && new URL(reply.url).pathname === this.loginPath) {
      this.sending = false;  // sent to the sign-in page: the session has ended
      this.outcome("signed-out");
      return null;
    }
    return reply.json().catch(() => ({})).then((body) => {
      this.sending = false;
      this.handle(reply.status, body || {}, position, entry);
    });
  }

  handle(status, body, position, entry) {
    if (typeof body.remaining === "number") { this.onRemaining(body.remaining); }
    const kind = classifyReply(status, body);
    if (kind === "saved") {
      if (this.store.get(position) === entry) { this.store.delete(position); }
      this.failures = 0;
    } else if (kind === "stale") {
      this.store.delete(position);
    }
    this.outcome(kind, body);
  }

  outcome(kind, body = {}) {
    if (kind === "saved" || kind === "stale") {
      const more = this.store.size > 0;
      this.report(kind, { more });
      if (more) { this.flush(); }
    } else if (kind === "server-error") {
      this.failures += 1;
      const seconds = serverErrorDelay(this.failures);
      // A database outage says so in its own words; other server errors keep the page's.
      const detail = body.error === "database_unavailable" ? { message: body.message } : {};
      this.report(kind, { seconds, ...detail });
      this.retryLater(seconds * 1000);
    } else if (kind === "refused" || kind === "closed") {
      this.halt(kind === "closed");
      this.report(kind, { message: body.message });
    } else {  // "offline", "signed-out": once the network or the session is back, it saves
      this.report(kind, {});
      this.retryLater(RETRY_MS);
    }
  }

  // Retrying would get the same answer. The answers stay on this device until a reload,
  // unless the attempt is closed: then nothing here will be saved any more.
  halt(closed) {
    this.halted = true;
    this.timers.clearTimeout(this.retryTimer);
    if (closed) {
      this.finished = true;
      this.store.clear();
    }
  }

  retryLater(delay) {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => this.flush(), delay);
  }

  /** The attempt is being submitted: one last try for every kept answer, replies unread. */
  finish() {
    this.finished = true;
    this.timers.clearTimeout(this.retryTimer);
    const last = this.store.positions().map(
      (position) => this.post(position, this.store.get(position)).catch(() => null));
    return Promise.all(last);
  }
}
