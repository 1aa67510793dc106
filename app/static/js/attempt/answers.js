// Reading and writing one question's answer in its section of the form, by question type.

const int = (value) => parseInt(value, 10);

export function readResponse(section) {
  const type = section.dataset.type;
  if (type === "single" || type === "truefalse") {
    const chosen = section.querySelector("input[type=radio]:checked");
    return chosen ? int(chosen.value) : null;
  }
  if (type === "multiple") {
    const values = Array.from(section.querySelectorAll("input[type=checkbox][name]:checked"),
      (input) => int(input.value));
    return values.length ? values : null;
  }
  if (type === "matching") {
    const chosen = Array.from(section.querySelectorAll("select[data-left]"))
      .filter((select) => select.value !== "");
    const map = {};
    chosen.forEach((select) => { map[select.dataset.left] = int(select.value); });
    return chosen.length ? map : null;
  }
  if (type === "ordering") {
    return Array.from(section.querySelectorAll("[data-item]"), (li) => int(li.dataset.item));
  }
  const field = section.querySelector("textarea, input[type=text]");
  return field && field.value.trim() !== "" ? field.value : null;
}

export function writeResponse(section, response) {
  const type = section.dataset.type;
  if (type === "single" || type === "truefalse" || type === "multiple") {
    section.querySelectorAll("input[name]").forEach((input) => {
      const value = int(input.value);
      input.checked = Array.isArray(response) ? response.indexOf(value) >= 0 : response === value;
    });
  } else if (type === "matching") {
    section.querySelectorAll("select[data-left]").forEach((select) => {
      const value = response && response[select.dataset.left];
      select.value = value === undefined || value === null ? "" : String(value);
    });
  } else if (type === "ordering" && Array.isArray(response)) {
    const list = section.querySelector("[data-ordering]");
    response.forEach((index) => {
      const li = list.querySelector(`[data-item="${index}"]`);
      if (li) { list.appendChild(li); }
    });
    renumber(list);
  } else {
    const field = section.querySelector("textarea, input[type=text]");
    if (field) { field.value = response || ""; }
  }
}

export function isFlagged(section) {
  const flag = section.querySelector("[data-flag]");
  return Boolean(flag && flag.checked);
}

/** The position fields (what the form posts without script) follow the list's order. */
export function renumber(list) {
  Array.from(list.children).forEach((li, i) => {
    const input = li.querySelector("input[type=number]");
    if (input) { input.value = i + 1; }
  });
}

/** Words as the word limit counts them: each CJK character is one word. */
export function countWords(text) {
  const trimmed = text.trim();
  const cjk = (trimmed.match(/[\u3400-\u9fff]/g) || []).length;
  const words = trimmed.replace(/[\u3400-\u9fff]/g, " ").split(/\s+/).filter(Boolean).length;
  return cjk + words;
}
