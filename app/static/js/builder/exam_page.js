// The exam builder's pages: steps as tabs, live random-rule counts. Every page works
// without this file (see tabs.js and draws.js).
import { setUpTabs, warnOfUnsavedSettings } from "./tabs.js";
import { setUpRandomRule } from "./draws.js";

const nav = document.querySelector("nav[data-tabs]");
if (nav) { setUpTabs(nav); }
warnOfUnsavedSettings(document.querySelector("form[data-settings-form]"),
  document.querySelector("[data-unsaved-warning]"));
document.querySelectorAll(".random-rule").forEach(setUpRandomRule);
