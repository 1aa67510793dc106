// The exam's start page while the person's start has not opened: a countdown kept on this
// device (no request until they press Start), and the button enabled when it opens.
const gate = document.querySelector("[data-start-gate]");
const out = document.querySelector("[data-start-countdown]");

/** 75 → "1:15", 3725 → "1:02:05". */
export function clock(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

if (gate && out) {
  const button = gate.querySelector("button[type=submit]");
  // The server said how long to wait; the device's clock only measures the wait.
  const opensAt = Date.now() + parseFloat(gate.dataset.opensIn) * 1000;
  button.disabled = true;
  const tick = () => {
    const left = Math.ceil((opensAt - Date.now()) / 1000);
    if (left <= 0) {
      button.disabled = false;
      out.textContent = out.dataset.open;
      return;
    }
    out.textContent = out.dataset.template.replace("__T__", clock(left));
    window.setTimeout(tick, Math.min(1000, opensAt - Date.now()));
  };
  tick();
}
