import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPlantEpochClock, createScaledRealtimeDriver, createVirtualClock, SimulatorError, type TimerHandle, type WallTime } from '../../simulator/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('virtual clock', () => {
  it('starts at startMs and advances by hand', () => {
    const clock = createVirtualClock({ startMs: 1000 });
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
    clock.advanceTo(2000);
    expect(clock.now()).toBe(2000);
  });

  it('runs timers in order of due time, ties in scheduling order, with now() at each due time', () => {
    const clock = createVirtualClock();
    const log: string[] = [];
    clock.setTimeout(() => log.push(`c@${clock.now()}`), 300);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => log.push(`b1@${clock.now()}`), 200);
    clock.setTimeout(() => log.push(`b2@${clock.now()}`), 200);
    clock.setTimeout(() => log.push(`late@${clock.now()}`), 1000);
    clock.advance(500);
    expect(log).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
    expect(clock.now()).toBe(500);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextDueMs()).toBe(1000);
  });

  it('runs timers scheduled from a callback within the same advance when they fall due', () => {
    const clock = createVirtualClock();
    const log: number[] = [];
    clock.setTimeout(() => {
      log.push(clock.now());
      clock.setTimeout(() => log.push(clock.now()), 0);
      clock.setTimeout(() => log.push(clock.now()), 50);
      clock.setTimeout(() => log.push(clock.now()), 500);
    }, 100);
    clock.advance(200);
    expect(log).toEqual([100, 100, 150]);
    clock.advance(400);
    expect(log).toEqual([100, 100, 150, 600]);
  });

  it('repeats intervals until cleared, including from inside the callback', () => {
    const clock = createVirtualClock();
    const ticks: number[] = [];
    const id = clock.setInterval(() => {
      ticks.push(clock.now());
      if (ticks.length === 4) clock.clearInterval(id);
    }, 60_000);
    clock.advance(10 * 60_000);
    expect(ticks).toEqual([60_000, 120_000, 180_000, 240_000]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancels timeouts; clearing an unknown handle (a number, a forged or foreign one) is harmless', () => {
    const clock = createVirtualClock();
    const fired: string[] = [];
    const a = clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('b'), 20);
    clock.clearTimeout(a);
    // Handles are opaque objects: a number, an empty object or another clock's handle matches nothing here.
    clock.clearTimeout(9999 as unknown as TimerHandle);
    clock.clearTimeout({} as TimerHandle);
    clock.clearTimeout(createVirtualClock().setTimeout(() => undefined, 20));
    clock.advance(100);
    expect(fired).toEqual(['b']);
  });

  it('refuses to advance from inside a timer, and refuses bad durations', () => {
    const clock = createVirtualClock();
    let caught: unknown;
    clock.setTimeout(() => {
      try {
        clock.advance(10);
      } catch (err) {
        caught = err;
      }
    }, 5);
    clock.advance(10);
    expect(caught).toBeInstanceOf(SimulatorError);
    expect((caught as SimulatorError).code).toBe('SIM_ERR_CLOCK_REENTRANT');
    expect(() => clock.advance(-1)).toThrow(/"ms" must be a finite number ≥ 0: -1/);
    expect(() => clock.advance(Number.NaN)).toThrow(/"ms"/);
    expect(() => clock.advanceTo(0)).toThrow(/"timeMs" must be a finite number ≥ now \(10 ms\): 0/);
    expect(() => clock.setTimeout(() => {}, -5)).toThrow(/"delayMs"/);
    expect(() => clock.setInterval(() => {}, 0)).toThrow(/"periodMs" must be a finite number > 0: 0/);
  });

  it('leaves the clock at the failing timer and keeps later timers when a callback throws', () => {
    const clock = createVirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => fired.push(clock.now()), 20);
    expect(() => clock.advance(100)).toThrow('boom');
    expect(clock.now()).toBe(10);
    clock.advance(90);
    expect(fired).toEqual([20]);
    expect(clock.now()).toBe(100);
  });

  it('never reads the wall clock or uses the host timers', () => {
    const dateNow = vi.spyOn(Date, 'now');
    const perfNow = vi.spyOn(performance, 'now');
    const hostTimeout = vi.spyOn(globalThis, 'setTimeout');
    const hostInterval = vi.spyOn(globalThis, 'setInterval');
    const clock = createVirtualClock();
    let count = 0;
    clock.setInterval(() => count++, 1000);
    clock.setTimeout(() => count++, 5000);
    clock.advance(86_400_000); // a whole virtual day, instantly
    expect(count).toBe(86_401);
    expect(dateNow).not.toHaveBeenCalled();
    expect(perfNow).not.toHaveBeenCalled();
    expect(hostTimeout).not.toHaveBeenCalled();
    expect(hostInterval).not.toHaveBeenCalled();
  });
});

/** A wall clock and a host interval timer the test moves by hand. */
function fakeWall(): WallTime & { elapse(ms: number): void; intervals: number } {
  let nowMs = 5_000;
  let active: { cb: () => void; periodMs: number; nextMs: number } | undefined;
  let intervals = 0;
  return {
    nowMs: () => nowMs,
    setInterval(cb, periodMs) {
      intervals++;
      active = { cb, periodMs, nextMs: nowMs + periodMs };
      return active;
    },
    clearInterval(handle) {
      if (handle === active) active = undefined;
    },
    elapse(ms: number) {
      const end = nowMs + ms;
      while (active && active.nextMs <= end) {
        nowMs = active.nextMs;
        active.nextMs += active.periodMs;
        active.cb();
      }
      nowMs = end;
    },
    get intervals() {
      return intervals;
    },
  };
}

describe('scaled real-time driver', () => {
  it('advances the virtual clock by elapsed wall time × scale (1 s wall = 60 s plant)', () => {
    const clock = createVirtualClock();
    const wall = fakeWall();
    const driver = createScaledRealtimeDriver({ clock, wall, scale: 60, tickMs: 100 });
    const minutes: number[] = [];
    clock.setInterval(() => minutes.push(clock.now()), 60_000);
    driver.start();
    expect(driver.running).toBe(true);
    wall.elapse(1000);
    expect(clock.now()).toBe(60_000);
    expect(minutes).toEqual([60_000]);
    wall.elapse(2500);
    expect(clock.now()).toBe(210_000);
    expect(minutes).toEqual([60_000, 120_000, 180_000]);
    driver.stop();
    expect(driver.running).toBe(false);
    wall.elapse(10_000);
    expect(clock.now()).toBe(210_000);
  });

  it('catches up from elapsed wall time, not tick counts, and flushes on stop', () => {
    const clock = createVirtualClock();
    const wall = fakeWall();
    const driver = createScaledRealtimeDriver({ clock, wall, scale: 3600, tickMs: 1000 });
    driver.start();
    wall.elapse(1500); // one tick at 1000 ms, half a tick pending
    expect(clock.now()).toBe(3_600_000);
    driver.stop(); // accounts for the last 500 ms
    expect(clock.now()).toBe(5_400_000);
  });

  it('rejects a bad scale and a double start', () => {
    const clock = createVirtualClock();
    const wall = fakeWall();
    expect(() => createScaledRealtimeDriver({ clock, wall, scale: 0 })).toThrow(/"scale" must be a finite number > 0: 0/);
    const driver = createScaledRealtimeDriver({ clock, wall });
    driver.start();
    expect(() => driver.start()).toThrow(expect.objectContaining({ code: 'SIM_ERR_DRIVER_STATE' }));
    driver.stop();
  });
});

describe('plant epoch clock', () => {
  it('maps the virtual clock onto the run start, timers included, from the virtual time it was made at', () => {
    const clock = createVirtualClock({ startMs: 5000 });
    const runStartEpochMs = Date.UTC(2026, 10, 21, 6, 0, 0);
    const bench = createPlantEpochClock({ clock, runStartEpochMs });
    expect(bench.now()).toBe(runStartEpochMs);
    const fired: number[] = [];
    bench.setTimeout(() => fired.push(bench.now()), 3_600_000);
    clock.advance(3_600_000); // an hour of plant time
    expect(fired).toEqual([runStartEpochMs + 3_600_000]);
    expect(bench.toEpochMs(clock.now())).toBe(bench.now());
    expect(() => createPlantEpochClock({ clock, runStartEpochMs: Number.NaN })).toThrow(/"runStartEpochMs" must be a finite number: NaN/);
  });
});
