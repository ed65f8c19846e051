/**
 * The wall time of a HilBench (rig/hil-bench.ts `ticker`) that moves only when the test says so: each
 * `tick()` moves this wall clock on by the interval's period and fires the interval, so the bench's scaled
 * real-time driver advances the plant by exactly one period × the time scale per tick, and never on the wall
 * clock.
 */

import type { Ticker } from '../../rig/index.js';

export class ManualTicker implements Ticker {
  private fn: (() => void) | undefined;
  private periodMs = 0;
  private wallMs = 0;

  nowMs(): number {
    return this.wallMs;
  }

  setInterval(fn: () => void, periodMs: number): unknown {
    this.fn = fn;
    this.periodMs = periodMs;
    return 1;
  }

  clearInterval(): void {
    this.fn = undefined;
  }

  /** `times` ticks: each moves the wall time on by one period, then fires the interval (if one is set). */
  tick(times = 1): void {
    for (let i = 0; i < times; i++) {
      if (!this.fn) return;
      this.wallMs += this.periodMs;
      this.fn();
    }
  }
}
