// The bank editor, enhanced: the text is checked as you type (a pause of a second), and a
// problem's line can be selected in the text. Without this script "Check" does the same.
const form = document.querySelector("[data-bank-editor]");
if (form) { start(form); }

function start(form) {
  const text = form.querySelector("textarea");
  const list = document.querySelector("[data-issues]");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  let timer = null;
  let sent = 0;
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => check(++sent), 1000);
  });
  list.addEventListener("click", (event) => {
    const line = event.target.closest("[data-line]");
    if (line) { selectLine(text, parseInt(line.dataset.line, 10)); }
  });

  async function check(number) {
    const body = new URLSearchParams({ text: text.value, question_id: form.dataset.questionId });
    let response;
    try {
      response = await fetch(form.dataset.checkUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" } });
    } catch { return; }  // offline: "Check" still works once the network is back
    if (!response.ok || number !== sent) { return; }
    show(list, (await response.json()).issues);
  }
}

function show(list, issues) {
  list.replaceChildren(...issues.map((issue) => {
    const item = document.createElement("li");
    item.className = issue.severity;
    const link = document.createElement("button");
    link.type = "button";
    link.className = "line-link";
    link.dataset.line = issue.line;
    // "Line %(line)d" in the page's language, rendered with a number no text holds.
    const where = (list.dataset.lineTemplate || "Line 987654321")
      .replace("987654321", String(issue.line));
    const id = issue.question_id ? ` [${issue.question_id}]` : "";
    link.textContent = `${where}:${id} ${issue.message}`;
    item.append(link);
    return item;
  }));
  const unchecked = document.querySelector("[data-unchecked]");
  if (unchecked) { unchecked.hidden = true; }
  const clean = document.querySelector("[data-testid=no-errors]");
  if (clean) { clean.hidden = issues.some((issue) => issue.severity === "error"); }
}

function selectLine(text, line) {
  const lines = text.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
  text.focus();
  text.setSelectionRange(start, start + (lines[line - 1] || "").length);
}
