// The countdown: the server's remaining time, counted down with a monotonic clock, so
// that changing the computer's clock neither adds nor takes away time. No DOM.

export const LOW_SECONDS = 300;  // the last five minutes are shown as running low

export class Countdown {
  constructor(remainingSeconds, now = () => performance.now()) {
    this.now = now;
    this.sync(remainingSeconds);
  }

  /** Every save reply carries the server's remaining time; it always wins. */
  sync(remainingSeconds) {
    this.deadline = this.now() + remainingSeconds * 1000;
  }

  secondsLeft() {
    return Math.max(0, Math.round((this.deadline - this.now()) / 1000));
  }
}

/** 75 -> "1:15"; 3725 -> "1:02:05". */
export function formatClock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return `${h ? `${h}:${pad(m)}` : m}:${pad(s)}`;
}
