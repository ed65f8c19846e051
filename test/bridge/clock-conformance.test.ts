/**
 * One suite, every clock (STYLE.md 2): the clock contract of time/clock.ts on the system clock (on vitest's
 * fake timers: nothing here waits on the wall clock), the simulator's virtual clock, the plant clock that maps
 * it onto epoch ms, and the tests' manual clock.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock, type TimerHandle } from '../../bridge/index.js';
import { createPlantEpochClock, createVirtualClock } from '../../simulator/index.js';
import { ManualClock } from '../helpers/manual-clock.js';

interface Subject {
  clock: Clock;
  /** Lets `ms` of this clock's time pass, running what falls due. */
  advance(ms: number): void;
  /** Another clock of the same kind, whose handles this one must ignore (none for the one system clock). */
  other?: Clock;
  done?(): void;
}

const START_MS = Date.UTC(2026, 10, 21, 12, 0, 0);

const implementations: Array<[name: string, make: () => Subject]> = [
  [
    'systemClock (fake timers)',
    () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: START_MS });
      return { clock: systemClock, advance: (ms) => vi.advanceTimersByTime(ms), done: () => vi.useRealTimers() };
    },
  ],
  [
    'virtual clock',
    () => {
      const clock = createVirtualClock({ startMs: 1000 });
      return { clock, advance: (ms) => clock.advance(ms), other: createVirtualClock() };
    },
  ],
  [
    'plant epoch clock',
    () => {
      const virtual = createVirtualClock();
      const clock = createPlantEpochClock({ clock: virtual, runStartEpochMs: START_MS });
      const otherVirtual = createVirtualClock();
      return { clock, advance: (ms) => virtual.advance(ms), other: createPlantEpochClock({ clock: otherVirtual, runStartEpochMs: START_MS }) };
    },
  ],
  [
    'ManualClock',
    () => {
      const clock = new ManualClock(START_MS);
      return { clock, advance: (ms) => clock.advance(ms), other: new ManualClock(START_MS) };
    },
  ],
];

describe.each(implementations)('clock contract: %s', (_name, make) => {
  let subject: Subject;
  afterEach(() => subject?.done?.());

  it('now() never goes back and moves by exactly the time let pass', () => {
    subject = make();
    const { clock, advance } = subject;
    const t0 = clock.now();
    expect(Number.isFinite(t0)).toBe(true);
    const seen = [t0];
    for (const ms of [0, 1, 5, 0, 1000, 60_000]) {
      advance(ms);
      seen.push(clock.now());
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(clock.now() - t0).toBe(61_006);
  });

  it('runs each timer once, at its time, in order of due time, ties in the order they were set', () => {
    subject = make();
    const { clock, advance } = subject;
    const t0 = clock.now();
    const log: string[] = [];
    const at = (name: string) => () => log.push(`${name}@${clock.now() - t0}`);
    clock.setTimeout(at('c'), 30);
    clock.setTimeout(at('a'), 10);
    clock.setTimeout(at('b1'), 20);
    clock.setTimeout(at('b2'), 20);
    clock.setTimeout(at('zero'), 0);
    expect(log).toEqual([]); // never from inside setTimeout itself
    advance(9);
    expect(log).toEqual(['zero@0']);
    advance(16);
    expect(log).toEqual(['zero@0', 'a@10', 'b1@20', 'b2@20']);
    advance(100);
    expect(log).toEqual(['zero@0', 'a@10', 'b1@20', 'b2@20', 'c@30']);
    advance(1000);
    expect(log).toHaveLength(5); // once only
  });

  it('runs a timer set from inside a callback at its own time', () => {
    subject = make();
    const { clock, advance } = subject;
    const t0 = clock.now();
    const log: number[] = [];
    clock.setTimeout(() => {
      log.push(clock.now() - t0);
      clock.setTimeout(() => log.push(clock.now() - t0), 15);
    }, 10);
    advance(100);
    expect(log).toEqual([10, 25]);
  });

  it('clearTimeout cancels a pending timer, also from inside an earlier one; clearing again or after it ran is ignored', () => {
    subject = make();
    const { clock, advance } = subject;
    const fired: string[] = [];
    const a = clock.setTimeout(() => fired.push('a'), 10);
    const late = clock.setTimeout(() => fired.push('late'), 30);
    const b = clock.setTimeout(() => {
      fired.push('b');
      clock.clearTimeout(late);
    }, 20);
    clock.clearTimeout(a);
    clock.clearTimeout(a);
    advance(100);
    expect(fired).toEqual(['b']);
    clock.clearTimeout(b);
    clock.clearTimeout(late);
    clock.setTimeout(() => fired.push('c'), 5);
    advance(5);
    expect(fired).toEqual(['b', 'c']);
  });

  it('hands out opaque handles: a new object each time, and a forged, numeric or foreign one cancels nothing', () => {
    subject = make();
    const { clock, advance, other } = subject;
    const fired: number[] = [];
    const handles = [1, 2, 3].map((n) => clock.setTimeout(() => fired.push(n), 10 * n));
    for (const h of handles) {
      expect(typeof h).toBe('object');
      expect(h).not.toBeNull();
    }
    expect(new Set(handles).size).toBe(3);
    clock.clearTimeout({} as TimerHandle);
    clock.clearTimeout(1 as unknown as TimerHandle);
    if (other) clock.clearTimeout(other.setTimeout(() => undefined, 10));
    advance(30);
    expect(fired).toEqual([1, 2, 3]);
  });
});
