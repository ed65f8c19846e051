/**
 * A Ticker (rig/hil-bench.ts) that fires only when the test says so, so the plant moves on the test's
 * terms and never on the wall clock.
 */

import type { Ticker } from '../../rig/index.js';

export class ManualTicker implements Ticker {
  private fn: (() => void) | undefined;

  setInterval(fn: () => void): unknown {
    this.fn = fn;
    return 1;
  }

  clearInterval(): void {
    this.fn = undefined;
  }

  tick(times = 1): void {
    for (let i = 0; i < times; i++) this.fn?.();
  }
}
