// A random section's form: choosing a bank offers that bank's tags, and every change
// shows how many questions the rule can draw from (GET /exam-admin/draw-count, JSON).
// Without this file the bank is chosen with a button that reloads the page.

function selectedValues(select) {
  return select ? Array.from(select.selectedOptions, (option) => option.value) : [];
}

function replaceTags(select, tags) {
  const keep = new Set(selectedValues(select));
  select.replaceChildren(...tags.map((tag) => {
    const option = new Option(tag, tag);
    option.selected = keep.has(tag);
    return option;
  }));
}

export function setUpRandomRule(root) {
  const bank = root.querySelector("[data-draw-bank]");
  const rule = root.querySelector("form[data-draw-rule]");
  const hiddenBank = root.querySelector("[data-draw-bank-value]");
  const count = root.querySelector("[data-draw-count]");
  if (!bank || !rule || !hiddenBank || !count) { return; }
  const tags = rule.querySelector('select[name="tags"]');
  const difficulty = rule.querySelector('select[name="difficulty"]');
  const type = rule.querySelector('select[name="question_type"]');
  let latest = 0;

  async function refresh(bankChanged) {
    const asked = ++latest;
    const query = new URLSearchParams({ bank: bank.value });
    if (!bankChanged) { selectedValues(tags).forEach((tag) => query.append("tags", tag)); }
    if (difficulty && difficulty.value) { query.set("difficulty", difficulty.value); }
    if (type && type.value) { query.set("type", type.value); }
    let found;
    try {
      const response = await fetch(`${root.dataset.drawCountUrl}?${query}`, {
        credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) { return; }
      found = await response.json();
    } catch (error) {
      return;  // offline or signed out: the count is given again on saving
    }
    if (asked !== latest) { return; }
    if (bankChanged && tags) { replaceTags(tags, found.tags); }
    count.textContent = found.label;
  }

  bank.addEventListener("change", () => { hiddenBank.value = bank.value; refresh(true); });
  rule.addEventListener("change", (event) => {
    if ([tags, difficulty, type].includes(event.target)) { refresh(false); }
  });
}
