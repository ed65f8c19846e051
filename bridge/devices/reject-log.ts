/**
 * What a person reads about rejected lines: the first line of each kind on each port is logged at warn
 * with what was wrong, and further ones of that kind are counted and summarised at most once per
 * `windowMs` on the injected clock (info level), so a board spitting garbage cannot flood the log. Every
 * line is still counted in the device's `rejected` counter; this is only the log.
 */

import type { Clock, TimerHandle } from '../clock.js';

export type LogLevel = 'warn' | 'info';

export interface RejectLogOptions {
  clock: Clock;
  log: (level: LogLevel, context: Record<string, unknown>, message: string) => void;
  /** Longest time between summaries of one kind on one port. Default 60000. */
  windowMs?: number;
}

interface Kind {
  path: string;
  code: string;
  /** Lines of this kind since the last log line about it. */
  unlogged: number;
  lastDetail: string;
  timer: TimerHandle | undefined;
}

export class RejectLog {
  private readonly opts: Required<RejectLogOptions>;
  private readonly kinds = new Map<string, Kind>();

  constructor(options: RejectLogOptions) {
    this.opts = { windowMs: 60_000, ...options };
  }

  rejected(path: string, code: string, detail: string): void {
    const key = `${path}\u0000${code}`;
    const kind = this.kinds.get(key);
    if (!kind) {
      this.kinds.set(key, { path, code, unlogged: 0, lastDetail: detail, timer: this.arm(key) });
      this.opts.log('warn', { path, code }, `${path}: line rejected (${code}): ${detail}; more ${code} lines on this port are counted and summarised every ${this.opts.windowMs / 1000} s`);
      return;
    }
    kind.unlogged++;
    kind.lastDetail = detail;
    if (!kind.timer) kind.timer = this.arm(key);
  }

  private arm(key: string): TimerHandle {
    return this.opts.clock.setTimeout(() => this.summarise(key), this.opts.windowMs);
  }

  private summarise(key: string): void {
    const kind = this.kinds.get(key);
    if (!kind) return;
    kind.timer = undefined;
    if (kind.unlogged === 0) return;
    this.opts.log(
      'info',
      { path: kind.path, code: kind.code, count: kind.unlogged },
      `${kind.path}: ${kind.unlogged} more ${kind.code} line${kind.unlogged === 1 ? '' : 's'} rejected in the last ${this.opts.windowMs / 1000} s; the last: ${kind.lastDetail}`,
    );
    kind.unlogged = 0;
    kind.timer = this.arm(key);
  }

  /** Stops the summary timers (the bridge is closing). */
  close(): void {
    for (const kind of this.kinds.values()) if (kind.timer) this.opts.clock.clearTimeout(kind.timer);
    this.kinds.clear();
  }
}
