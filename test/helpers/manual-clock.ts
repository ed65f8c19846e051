/**
 * A clock for tests that moves only when told to: `advance(ms)` runs the timers that fall due, in order.
 */

import type { Clock, TimerHandle } from '../../bridge/index.js';

interface Timer {
  at: number;
  order: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private nowMs: number;
  private order = 0;
  private readonly timers = new Set<Timer>();

  constructor(startMs = Date.UTC(2026, 10, 21, 12, 0, 0)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: Timer = { at: this.nowMs + Math.max(0, ms), order: this.order++, fn };
    this.timers.add(t);
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as Timer);
  }

  /** Moves time forward, running each due timer at its own time. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) {
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.order < next.order))) next = t;
      }
      if (!next) break;
      this.timers.delete(next);
      this.nowMs = next.at;
      next.fn();
    }
    this.nowMs = end;
  }

  pending(): number {
    return this.timers.size;
  }
}
