"""The attempt page's save queue (app/static/js/attempt/queue.js) as a unit, in real
Chromium: the module is imported on a page of the live app, given fake fetch replies and
fake timers, and must keep answers until acknowledged and tell failures apart."""

from __future__ import annotations

import pytest

# Installs window.harness: a SaveQueue over a real AnswerStore (localStorage), whose
# fetch waits until the test answers each request and whose timers run when told.
HARNESS = """async () => {
  const { SaveQueue, classifyReply } = await import("/static/js/attempt/queue.js");
  const { AnswerStore } = await import("/static/js/attempt/store.js");
  window.localStorage.clear();
  const h = { requests: [], events: [], remaining: [], timers: [], classifyReply };
  const settle = () => new Promise((resolve) => window.setTimeout(resolve, 0));
  let nextTimer = 1;
  const timers = {
    setTimeout: (fn, ms) => { h.timers.push({ id: nextTimer, fn, ms, done: false });
                              return nextTimer++; },
    clearTimeout: (id) => h.timers.forEach((t) => { if (t.id === id) { t.done = true; } }),
  };
  const fetch = (url, init) => new Promise((resolve, reject) => {
    h.requests.push({ url, init, body: JSON.parse(init.body), resolve, reject });
  });
  h.store = new AnswerStore("unit");
  h.queue = new SaveQueue({
    store: h.store, url: "/exams/attempts/1/answers", csrf: "token", loginPath: "/login",
    seq: 100, fetch, timers, report: (kind, detail) => h.events.push([kind, detail]),
    onRemaining: (seconds) => h.remaining.push(seconds),
  });
  h.waiting = () => h.timers.filter((t) => !t.done).map((t) => t.ms);
  h.runTimers = async () => {
    const due = h.timers.filter((t) => !t.done);
    due.forEach((t) => { t.done = true; t.fn(); });
    await settle();
    return due.map((t) => t.ms);
  };
  const open = () => h.requests.filter((r) => !r.answered);
  h.inFlight = () => open().map((r) => r.body);
  h.reply = async (status, body, extra = {}) => {
    const request = open()[0];
    request.answered = true;
    request.resolve(Object.assign({
      status, redirected: false, url: location.origin + request.url,
      json: () => body === undefined ? Promise.reject(new SyntaxError("not JSON"))
                                     : Promise.resolve(body),
    }, extra));
    await settle();
  };
  h.failNetwork = async () => {
    const request = open()[0];
    request.answered = true;
    request.reject(new TypeError("Failed to fetch"));
    await settle();
  };
  h.kept = () => JSON.parse(window.localStorage.getItem("presales-attempt-unit") || "{}");
  h.lastEvent = () => h.events[h.events.length - 1];
  window.harness = h;
}"""


@pytest.fixture
def queue(page):
    """The page with the harness installed; `run(body)` runs JS with `h` in scope."""
    page.goto("/login")
    page.evaluate(HARNESS)

    def run(body: str):
        return page.evaluate(f"async () => {{ const h = window.harness; {body} }}")
    return run


def test_typing_is_coalesced_into_one_save_and_kept_until_acknowledged(queue):
    queue("""h.queue.change("3", "M", false); h.queue.change("3", "ML", false);
             h.queue.change("3", "MLPS", true);""")
    assert queue("return h.inFlight()") == []  # nothing is sent while typing goes on
    assert queue("return h.kept()") == {"3": {"response": "MLPS", "flagged": True, "seq": 103}}
    queue("await h.runTimers()")
    assert queue("return h.inFlight()") == [
        {"position": 3, "response": "MLPS", "flagged": True, "seq": 103}]
    request = queue("const r = h.requests[0]; return [r.url, r.init.method, r.init.headers]")
    assert request == ["/exams/attempts/1/answers", "POST", {
        "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": "token"}]
    # Changed again while the save is on its way: the newer answer must survive its ack.
    queue('h.queue.change("3", "MLPS 2.0", true); await h.runTimers()')
    assert len(queue("return h.inFlight()")) == 1  # one save at a time
    assert queue("return h.kept()")["3"]["response"] == "MLPS 2.0"
    queue('await h.reply(200, {saved: true, seq: 103, remaining: 1700})')
    assert queue("return h.remaining") == [1700]
    assert queue("return h.lastEvent()") == ["saved", {"more": True}]
    assert queue("return h.kept()")["3"]["response"] == "MLPS 2.0"
    assert queue("return h.inFlight()") == [
        {"position": 3, "response": "MLPS 2.0", "flagged": True, "seq": 104}]
    queue('await h.reply(200, {saved: true, seq: 104, remaining: 1690})')
    assert queue("return h.lastEvent()") == ["saved", {"more": False}]
    assert queue("return h.kept()") == {}
    assert queue("return h.waiting()") == []


def test_answers_to_several_questions_go_one_after_another(queue):
    queue('h.queue.change("1", 0, false); h.queue.change("2", [1, 2], false);'
          ' await h.runTimers()')
    assert [b["position"] for b in queue("return h.inFlight()")] == [1]
    queue("await h.reply(200, {saved: true})")
    assert [b["position"] for b in queue("return h.inFlight()")] == [2]
    assert list(queue("return h.kept()")) == ["2"]
    queue("await h.reply(200, {saved: true})")
    assert queue("return h.kept()") == {}


def test_a_network_failure_keeps_the_answer_and_retries(queue):
    queue('h.queue.change("3", "kept offline", false); await h.runTimers();'
          ' await h.failNetwork()')
    assert queue("return h.lastEvent()") == ["offline", {}]
    assert queue("return h.kept()")["3"]["response"] == "kept offline"
    assert queue("return h.waiting()") == [5000]
    queue("await h.runTimers(); await h.failNetwork()")  # still down: kept, retried again
    assert queue("return h.waiting()") == [5000]
    queue("await h.runTimers()")
    assert queue("return h.inFlight()")[0]["response"] == "kept offline"
    queue("await h.reply(200, {saved: true})")
    assert queue("return h.lastEvent()") == ["saved", {"more": False}]
    assert queue("return h.kept()") == {}


def test_an_unexpected_reply_is_treated_as_offline(queue):
    queue('h.queue.change("3", "x", false); await h.runTimers(); await h.reply(204)')
    assert queue("return h.lastEvent()") == ["offline", {}]
    assert queue("return h.waiting()") == [5000]
    assert "3" in queue("return h.kept()")


@pytest.mark.parametrize("reply", [
    "h.reply(401, {error: 'signed_out', message: 'Your session has ended'})",
    "h.reply(403, {error: 'signed_out'})",
    # fetch followed the server's redirect to the sign-in page; its HTML is not read
    "h.reply(200, undefined, {redirected: true,"
    " url: location.origin + '/login?next=%2Fexams%2Fattempts%2F1'})",
])
def test_a_signed_out_reply_means_the_session_ended_and_saving_resumes_later(queue, reply):
    queue(f'h.queue.change("3", "typed after sign-out", false); await h.runTimers();'
          f' await {reply}')
    assert queue("return h.lastEvent()") == ["signed-out", {}]
    assert queue("return h.kept()")["3"]["response"] == "typed after sign-out"
    assert queue("return h.waiting()") == [5000]
    queue("await h.runTimers(); await h.reply(200, {saved: true})")  # signed in again
    assert queue("return h.kept()") == {}


def test_a_conflict_drops_only_the_outranked_answer_and_saving_goes_on(queue):
    queue('h.queue.change("3", "older tab", false); h.queue.change("4", 1, false);'
          ' await h.runTimers();'
          ' await h.reply(409, {error: "stale", message: "A newer answer", remaining: 900})')
    assert queue("return h.events[0]") == ["stale", {"more": True}]
    assert queue("return h.remaining") == [900]
    assert list(queue("return h.kept()")) == ["4"]  # never re-sent over the newer answer
    assert [b["position"] for b in queue("return h.inFlight()")] == [4]
    queue("await h.reply(200, {saved: true})")
    assert queue("return [h.kept(), h.waiting(), h.requests.length]") == [{}, [], 2]


def test_a_refusal_shows_the_servers_message_and_stops_retrying(queue):
    queue('h.queue.change("3", "refused", false); await h.runTimers();'
          ' await h.reply(400, {error: "bad_request", message: "The save was not understood."})')
    assert queue("return h.lastEvent()") == [
        "refused", {"message": "The save was not understood."}]
    assert queue("return h.waiting()") == []
    # Kept on the device for a reload, but nothing more is sent from this page.
    queue('h.queue.change("4", 2, false); await h.runTimers(); h.queue.flush()')
    assert queue("return h.requests.length") == 1
    assert sorted(queue("return h.kept()")) == ["3", "4"]


def test_a_closed_attempt_stops_saving_and_forgets_the_kept_answers(queue):
    queue('h.queue.change("3", "too late", false); await h.runTimers();'
          ' await h.reply(410, {error: "closed", message: "Time is up", remaining: 0})')
    assert queue("return h.lastEvent()") == ["closed", {"message": "Time is up"}]
    assert queue("return [h.queue.finished, h.kept(), h.waiting()]") == [True, {}, []]
    assert queue("return window.localStorage.getItem('presales-attempt-unit')") is None


def test_server_errors_keep_the_answer_and_back_off_longer_each_time(queue):
    queue('h.queue.change("3", "through errors", false); await h.runTimers()')
    waits, said = [], []
    for _ in range(6):
        queue("await h.reply(500, {error: 500, message: 'The server could not finish'})")
        said.append(queue("return h.lastEvent()"))
        waits.append(queue("return h.waiting()"))
        queue("await h.runTimers()")  # the retry goes out
    assert waits == [[5000], [10000], [20000], [40000], [60000], [60000]]
    assert [detail["seconds"] for kind, detail in said] == [5, 10, 20, 40, 60, 60]
    assert {kind for kind, detail in said} == {"server-error"}
    assert queue("return h.kept()")["3"]["response"] == "through errors"
    queue("await h.reply(503)")  # not JSON: still a server error
    assert queue("return h.lastEvent()") == ["server-error", {"seconds": 60}]
    queue("await h.runTimers(); await h.reply(200, {saved: true})")
    queue('h.queue.change("3", "again", false); await h.runTimers(); await h.reply(502, {})')
    assert queue("return h.waiting()") == [5000]  # a success starts the back-off again


def test_a_database_outage_passes_on_the_servers_words_other_errors_do_not(queue):
    queue('h.queue.change("3", "through an outage", false); await h.runTimers()')
    queue("await h.reply(503, {error: 'database_unavailable', message: 'No database'})")
    assert queue("return h.lastEvent()") == ["server-error", {"seconds": 5,
                                                               "message": "No database"}]
    queue("await h.runTimers(); await h.reply(500, {error: 500, message: 'Internal'})")
    assert queue("return h.lastEvent()") == ["server-error", {"seconds": 10}]
    assert queue("return h.kept()")["3"]["response"] == "through an outage"


def test_submitting_makes_one_last_try_and_then_sends_nothing_more(queue):
    queue('h.queue.change("3", "a", false); h.queue.change("5", "b", false);'
          ' window.done = false; h.queue.finish().then(() => { window.done = true; })')
    assert [b["position"] for b in queue("return h.inFlight()")] == [3, 5]
    queue("await h.failNetwork(); await h.reply(200, {saved: true})")
    assert queue("return window.done") is True  # a failed last save does not block submit
    queue("await h.runTimers(); h.queue.flush()")
    assert queue("return h.requests.length") == 2


def test_every_status_is_classified(queue):
    statuses = [200, 204, 302, 400, 401, 403, 404, 409, 410, 413, 429, 500, 502, 503]
    kinds = queue(f"return {statuses}.map((s) => h.classifyReply(s, {{}}))")
    assert dict(zip(statuses, kinds, strict=True)) == {
        200: "saved", 204: "offline", 302: "offline", 400: "refused", 401: "signed-out",
        403: "refused", 404: "refused", 409: "stale", 410: "closed", 413: "refused",
        429: "refused", 500: "server-error", 502: "server-error", 503: "server-error"}
    assert queue("return h.classifyReply(500, {error: 'signed_out'})") == "signed-out"
