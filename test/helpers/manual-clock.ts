/**
 * A clock for tests that moves only when told to: `advance(ms)` runs the timers that fall due, in order. It
 * keeps the clock contract (time/clock.ts): its handles are frozen empty objects, and a handle that is not one
 * of its pending timers is ignored by `clearTimeout`. A negative delay counts as 0.
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
  private readonly timers = new Map<TimerHandle, Timer>();

  constructor(startMs = Date.UTC(2026, 10, 21, 12, 0, 0)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = Object.freeze({}) as TimerHandle;
    this.timers.set(handle, { at: this.nowMs + Math.max(0, ms), order: this.order++, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Moves time forward, running each due timer at its own time. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      let next: [TimerHandle, Timer] | undefined;
      for (const entry of this.timers) {
        const t = entry[1];
        if (t.at <= end && (!next || t.at < next[1].at || (t.at === next[1].at && t.order < next[1].order))) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.nowMs = next[1].at;
      next[1].fn();
    }
    this.nowMs = end;
  }

  pending(): number {
    return this.timers.size;
  }
}
