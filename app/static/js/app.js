// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.submit();
    }
  });

  // Header groups (<details data-nav-group>): one open at a time; a click or focus
  // elsewhere, or Escape, closes them.
  function closeNavGroups(keep) {
    var open = document.querySelectorAll("details[data-nav-group][open]");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== keep) { open[i].open = false; }
    }
  }
  function navGroupOf(node) {
    return node && node.closest ? node.closest("details[data-nav-group]") : null;
  }
  // Focus moved by the keyboard closes them too; focus from a press waits for its click,
  // so the layout does not shift under the pointer between press and release.
  var pressing = false;
  document.addEventListener("pointerdown", function () { pressing = true; }, true);
  document.addEventListener("pointerup", function () { pressing = false; }, true);
  document.addEventListener("focusin", function (event) {
    if (!pressing) { closeNavGroups(navGroupOf(event.target)); }
  });
  document.addEventListener("keydown", function (event) {
    pressing = false;
    if (event.key !== "Escape") { return; }
    var group = navGroupOf(document.activeElement) ||
      document.querySelector("details[data-nav-group][open]");
    if (group && group.open) {
      group.open = false;
      group.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    closeNavGroups(navGroupOf(event.target));
    var toggle = event.target.closest ? event.target.closest("[data-nav-toggle]") : null;
    if (toggle) {
      var nav = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    }
    var confirmable = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (confirmable && !window.confirm(confirmable.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
