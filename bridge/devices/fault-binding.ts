/**
 * A serialport binding that wraps any other binding and injects link faults on command: bytes dropped,
 * corrupted (one bit flipped), duplicated or delayed on the injected clock, in either direction, and a
 * port unplugged and plugged back in. Tests use it over the mock binding, the rig over the native one.
 *
 * It keeps the binding contract (STYLE.md 1): a pending read rejects with `canceled` when the port is
 * closed by the host, and with a plain error (which serialport treats as a disconnect) when the port is
 * unplugged; opening an unplugged path fails as opening a missing device does.
 */

import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Binding } from './binding.js';

/** What to do to the bytes going one way. Rates are probabilities per byte, 0 to 1. */
export interface FaultPlan {
  /** Default 0. */
  dropRate?: number;
  /** Flips one bit of the byte. Default 0. */
  corruptRate?: number;
  /** Sends the byte twice. Default 0. */
  duplicateRate?: number;
  /** Holds every chunk this long on the clock before passing it on. Default 0. */
  delayMs?: number;
}

export interface PathFaults {
  /** Board to host (what the host reads). */
  read?: FaultPlan;
  /** Host to board (what the host writes). */
  write?: FaultPlan;
}

export interface FaultStats {
  droppedBytes: number;
  corruptedBytes: number;
  duplicatedBytes: number;
  delayedChunks: number;
  unplugs: number;
}

export interface FaultInjectorOptions {
  /** The clock delays run on. Default: the system clock. */
  clock?: Clock;
  /** Seed of the byte-fault dice, so a faulty run repeats exactly. Default 1. */
  seed?: number;
}

type Port = Awaited<ReturnType<Binding['open']>>;

class CanceledError extends Error {
  readonly canceled = true as const;
}

/** mulberry32: small, fast, seedable; good enough to pick bytes to spoil. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(plan: FaultPlan, key: 'dropRate' | 'corruptRate' | 'duplicateRate'): void {
  const v = plan[key];
  if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`"${key}" must be a probability from 0 to 1: ${v}`);
}

export class FaultInjector {
  /** The wrapped binding: give this to the bridge. */
  readonly binding: Binding;
  private readonly inner: Binding;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly faults = new Map<string, PathFaults>();
  private readonly unplugged = new Set<string>();
  private readonly open = new Map<string, Set<FaultPort>>();
  private readonly statsByPath = new Map<string, FaultStats>();

  constructor(inner: Binding, options: FaultInjectorOptions = {}) {
    this.inner = inner;
    this.clock = options.clock ?? systemClock;
    this.random = rng(options.seed ?? 1);
    const self = this;
    this.binding = {
      async list() {
        const ports = await inner.list();
        return ports.filter((p) => !self.unplugged.has(p.path));
      },
      async open(options) {
        if (self.unplugged.has(options.path)) {
          const err = new Error(`Error: No such file or directory, cannot open ${options.path} (unplugged by the fault injector)`) as Error & { code: string };
          err.code = 'ENOENT';
          throw err;
        }
        const port = await inner.open(options);
        const wrapped = new FaultPort(port, options.path, self);
        let set = self.open.get(options.path);
        if (!set) self.open.set(options.path, (set = new Set()));
        set.add(wrapped);
        return wrapped;
      },
    } as Binding;
  }

  /** Sets the faults for a path (replacing earlier ones); `{}` clears them. */
  set(path: string, faults: PathFaults): void {
    for (const plan of [faults.read, faults.write]) {
      if (!plan) continue;
      checkRate(plan, 'dropRate');
      checkRate(plan, 'corruptRate');
      checkRate(plan, 'duplicateRate');
      if (plan.delayMs !== undefined && !(plan.delayMs >= 0)) throw new RangeError(`"delayMs" must be 0 or more: ${plan.delayMs}`);
    }
    this.faults.set(path, faults);
  }

  /** Pulls the cable: open ports on the path disconnect, and opening it fails until `replug`. */
  unplug(path: string): void {
    this.unplugged.add(path);
    this.stats(path).unplugs++;
    for (const port of this.open.get(path) ?? []) port.disconnect(new Error(`${path} was unplugged`));
  }

  replug(path: string): void {
    this.unplugged.delete(path);
  }

  isPlugged(path: string): boolean {
    return !this.unplugged.has(path);
  }

  stats(path: string): FaultStats {
    let s = this.statsByPath.get(path);
    if (!s) {
      s = { droppedBytes: 0, corruptedBytes: 0, duplicatedBytes: 0, delayedChunks: 0, unplugs: 0 };
      this.statsByPath.set(path, s);
    }
    return s;
  }

  /** @internal Applies a direction's byte faults to a chunk. */
  spoil(path: string, direction: 'read' | 'write', chunk: Buffer): Buffer {
    const plan = this.faults.get(path)?.[direction];
    if (!plan || (!plan.dropRate && !plan.corruptRate && !plan.duplicateRate)) return chunk;
    const stats = this.stats(path);
    const out: number[] = [];
    for (const byte of chunk) {
      if (plan.dropRate && this.random() < plan.dropRate) {
        stats.droppedBytes++;
        continue;
      }
      let b = byte;
      if (plan.corruptRate && this.random() < plan.corruptRate) {
        b ^= 1 << Math.floor(this.random() * 8);
        stats.corruptedBytes++;
      }
      out.push(b);
      if (plan.duplicateRate && this.random() < plan.duplicateRate) {
        out.push(b);
        stats.duplicatedBytes++;
      }
    }
    return Buffer.from(out);
  }

  /** @internal */
  delayMs(path: string, direction: 'read' | 'write'): number {
    return this.faults.get(path)?.[direction]?.delayMs ?? 0;
  }

  /** @internal */
  later(fn: () => void, ms: number, path: string): void {
    this.stats(path).delayedChunks++;
    this.clock.setTimeout(fn, ms);
  }

  /** @internal */
  forget(port: FaultPort): void {
    this.open.get(port.path)?.delete(port);
  }
}

/** One open port through the injector. Reads come from a queue a background loop fills from the inner port. */
class FaultPort {
  readonly path: string;
  readonly openOptions: Port['openOptions'];
  private readonly inner: Port;
  private readonly injector: FaultInjector;
  private readonly ready: Buffer[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private pumping = false;
  private closed = false;
  private delayedWrites: Promise<void> = Promise.resolve();

  constructor(inner: Port, path: string, injector: FaultInjector) {
    this.inner = inner;
    this.path = path;
    this.injector = injector;
    this.openOptions = inner.openOptions;
  }

  get isOpen(): boolean {
    return !this.closed && this.inner.isOpen;
  }

  /** The cable is gone: the pending read and every later one fail, as a vanished tty's do. */
  disconnect(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private push(chunk: Buffer): void {
    if (this.closed || this.failure || chunk.length === 0) return;
    this.ready.push(chunk);
    this.notify();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const tmp = Buffer.alloc(4096);
    while (!this.closed && !this.failure) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.inner.read(tmp, 0, tmp.length));
      } catch (err) {
        if (!(err as { canceled?: boolean }).canceled) this.disconnect(err as Error);
        break;
      }
      if (bytesRead === 0) continue;
      const chunk = this.injector.spoil(this.path, 'read', Buffer.from(tmp.subarray(0, bytesRead)));
      const delay = this.injector.delayMs(this.path, 'read');
      if (delay > 0) this.injector.later(() => this.push(chunk), delay, this.path);
      else this.push(chunk);
    }
    this.pumping = false;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.pumping && !this.closed && !this.failure) void this.pump();
    for (;;) {
      if (this.closed) throw new CanceledError('port is closed');
      const head = this.ready[0];
      if (head) {
        const n = Math.min(length, head.length);
        head.copy(buffer, offset, 0, n);
        if (n === head.length) this.ready.shift();
        else this.ready[0] = head.subarray(n);
        return { buffer, bytesRead: n };
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async write(buffer: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    const chunk = this.injector.spoil(this.path, 'write', buffer);
    const delay = this.injector.delayMs(this.path, 'write');
    if (delay > 0) {
      // The host's write completes now; the bytes reach the board later, as on a slow or buffered link.
      // Delayed chunks are chained: bindings do not take overlapping writes.
      this.injector.later(() => {
        this.delayedWrites = this.delayedWrites
          .then(() => (this.isOpen && !this.failure ? this.inner.write(chunk) : undefined))
          .catch(() => undefined);
      }, delay, this.path);
      return;
    }
    await this.delayedWrites;
    if (chunk.length > 0) await this.inner.write(chunk);
  }

  async close(): Promise<void> {
    if (this.closed) throw new Error('Port is not open');
    this.closed = true;
    this.injector.forget(this);
    this.notify();
    if (this.inner.isOpen) await this.inner.close();
  }

  update(options: Parameters<Port['update']>[0]): Promise<void> {
    return this.inner.update(options);
  }
  set(options: Parameters<Port['set']>[0]): Promise<void> {
    return this.inner.set(options);
  }
  get(): ReturnType<Port['get']> {
    return this.inner.get();
  }
  getBaudRate(): ReturnType<Port['getBaudRate']> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
}
