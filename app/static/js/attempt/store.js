// Answers not yet acknowledged by the server, kept in this browser's local storage so
// that a reload, a crash or a closed laptop loses nothing. No DOM.

function browserStorage() {
  try { return window.localStorage; } catch (error) { return null; }  // blocked by settings
}

export class AnswerStore {
  /** Entries by question position: {response, flagged, seq}. */
  constructor(attemptId, storage = browserStorage()) {
    this.key = `presales-attempt-${attemptId}`;
    this.storage = storage;
    this.entries = this.load();
  }

  load() {
    try { return JSON.parse(this.storage.getItem(this.key)) || {}; } catch (error) { return {}; }
  }

  persist() {
    try { this.storage.setItem(this.key, JSON.stringify(this.entries)); } catch (error) {
      // storage full or unavailable: the answers stay in memory for this page
    }
  }

  positions() { return Object.keys(this.entries); }

  get size() { return this.positions().length; }

  get(position) { return this.entries[position]; }

  set(position, entry) {
    this.entries[position] = entry;
    this.persist();
  }

  delete(position) {
    delete this.entries[position];
    this.persist();
  }

  /** The attempt is over: nothing here will be saved any more. */
  clear() {
    this.entries = {};
    try { this.storage.removeItem(this.key); } catch (error) { /* unavailable */ }
  }
}
