// The question picker: a box that ticks every question on the page, and a bank chosen
// in the search reloads it (so the tag list is that bank's). Without this file the
// search has its button and each question its own box.

const all = document.querySelector("[data-pick-all]");
const boxes = Array.from(document.querySelectorAll('form[data-picker] input[name="pick"]'));
if (all && boxes.length) {
  all.hidden = false;
  all.addEventListener("change", () => { boxes.forEach((box) => { box.checked = all.checked; }); });
}
const bank = document.querySelector('form[data-testid="picker-search"] select[name="bank"]');
if (bank) { bank.addEventListener("change", () => bank.form.requestSubmit()); }
