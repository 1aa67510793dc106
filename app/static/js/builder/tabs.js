// The builder's steps as tabs: one panel shows at a time. The panels stay in the page
// (only hidden), so what was typed in one is still there, and sent, from another.
// Without this file every panel shows, one under the other.

function panelsOf(nav) {
  return Array.from(nav.querySelectorAll('a[href^="#"]'))
    .map((link) => ({ link, panel: document.getElementById(link.hash.slice(1)) }))
    .filter((tab) => tab.panel);
}

function startingTab(tabs) {
  const wanted = window.location.hash.slice(1);
  return tabs.find((tab) => tab.panel.id === wanted)
    || tabs.find((tab) => tab.panel.querySelector(".has-error, .error"))
    || tabs[0];
}

export function setUpTabs(nav) {
  const tabs = panelsOf(nav);
  if (!tabs.length) { return; }
  function show(chosen) {
    for (const tab of tabs) {
      tab.panel.hidden = tab !== chosen;
      if (tab === chosen) { tab.link.setAttribute("aria-current", "page"); }
      else { tab.link.removeAttribute("aria-current"); }
    }
  }
  for (const tab of tabs) {
    tab.link.addEventListener("click", (event) => {
      event.preventDefault();
      show(tab);
      window.history.replaceState(null, "", tab.link.hash);
    });
  }
  window.addEventListener("hashchange", () => show(startingTab(tabs)));
  show(startingTab(tabs));
}

// Typing in the settings form and then submitting another form (a section, an
// accommodation) would lose the typing: say so while it is unsaved.
export function warnOfUnsavedSettings(form, warning) {
  if (!form || !warning) { return; }
  form.addEventListener("input", () => { warning.hidden = false; });
  form.addEventListener("submit", () => { warning.hidden = true; });
}
