/**
 * "Nothing lost" for one board: finds the readings the store is missing in the board's current boot and
 * asks the board to replay them (PROTOCOL.md, "Reconnect, replay and status").
 *
 * A gap is found three ways: at identification (the board's STATUS says its last seq is past the last one
 * stored), from a live reading whose seq jumps (a line lost or corrupted on the link), and from open gaps
 * left in the store by an earlier connection or an earlier bridge process (a `kill -9`). Gaps are stored
 * as rows of at most MAX_REPLAY_READINGS before they are asked for, so none is forgotten when the link or
 * the bridge goes away half-way.
 *
 * Gaps are replayed newest first. A board's ring holds one contiguous range of its newest readings, so
 * once an answer shows the ring starts at F (ACK from=F > asked, or n=0), everything older than F in that
 * boot is gone: those rows become `lost` without asking, and each lost range is also written as a
 * `readings.gap` event. After every ACK the store itself is checked: a replayed line that was corrupted on
 * the way leaves its seq missing, and that seq is asked for again (up to `maxAttempts` times).
 */

import { MAX_REPLAY_READINGS, type Command } from '../../firmware/protocol/index.js';
import type { Clock } from '../clock.js';
import type { SqliteStore, SequenceGap } from '../store/sqlite-store.js';
import type { CommandOutcome } from './board-connection.js';

export interface GapFillerOptions {
  deviceId: string;
  store: SqliteStore;
  clock: Clock;
  /** Sends a link command to the board (through its one-in-flight queue). */
  send: (command: Command) => Promise<CommandOutcome>;
  /** How often one range is asked for before it is given up as lost. Default 5. */
  maxAttempts?: number;
  /** Gaps wider than this are not asked for beyond their newest part: no board keeps more. Default 65536. */
  maxReplaySpan?: number;
}

export class GapFiller {
  private readonly opts: Required<GapFillerOptions>;
  private boot = 0;
  /** The next seq expected live; readings below it are old news. */
  private expected = 1;
  private running = false;
  private active = false;
  /** Set when a replay failed for a reason that may pass (timeout); the next live reading tries again. */
  private retryPending = false;
  private canReplay = true;
  private readonly attempts = new Map<string, number>();
  /** Resolves when the worker has nothing left to do; for tests and for orderly shutdown. */
  private idleWaiters: Array<() => void> = [];

  constructor(options: GapFillerOptions) {
    this.opts = { maxAttempts: 5, maxReplaySpan: 65536, ...options };
  }

  /**
   * The board identified itself (again) in `boot`. Open gaps of earlier boots can no longer be replayed:
   * a board's ring does not survive a power-up.
   */
  begin(boot: number): void {
    const { store, deviceId, clock } = this.opts;
    this.boot = boot;
    this.active = true;
    this.canReplay = true;
    this.retryPending = false;
    this.expected = store.readings.maxSeq(deviceId, boot) + 1;
    for (const g of store.readings.gaps(deviceId, 'open')) {
      if (g.boot !== boot) this.lose(g, g.fromSeq, g.toSeq, `board restarted (boot ${g.boot} → ${boot}) before the replay`, clock.now());
    }
    // Open gaps of this boot are asked for once the link is open: see onStatus() and kick().
  }

  /** Starts asking for open gaps now (the link is open). */
  kick(): void {
    void this.run();
  }

  /** The link went away: stop asking; open gaps stay in the store for the next connection. */
  pause(): void {
    this.active = false;
  }

  /** The board's STATUS: `seq` is the last reading it took. */
  onStatus(seq: number): void {
    if (!this.active) return;
    if (seq >= this.expected) {
      this.noteGap(this.expected, seq, 'missed while the bridge was away');
      this.expected = seq + 1;
    }
    this.kick();
  }

  /** A live (not replayed) reading arrived. */
  onLiveReading(seq: number): void {
    if (!this.active) return;
    if (seq > this.expected) this.noteGap(this.expected, seq - 1, 'sequence jumped on the live stream');
    if (seq >= this.expected) this.expected = seq + 1;
    if (this.retryPending && !this.running) {
      this.retryPending = false;
      void this.run();
    }
  }

  /** Resolves once no replay is running. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private noteGap(fromSeq: number, toSeq: number, reason: string): void {
    const { store, deviceId, clock } = this.opts;
    const atMs = clock.now();
    if (toSeq - fromSeq + 1 > this.opts.maxReplaySpan) {
      const cut = toSeq - this.opts.maxReplaySpan;
      this.recordLost(fromSeq, cut, `older than any board's ring (${this.opts.maxReplaySpan} readings)`, atMs);
      fromSeq = cut + 1;
    }
    for (let s = fromSeq; s <= toSeq; s += MAX_REPLAY_READINGS) {
      store.readings.addGap({ deviceId, boot: this.boot, fromSeq: s, toSeq: Math.min(toSeq, s + MAX_REPLAY_READINGS - 1), state: 'open', reason, atMs });
    }
    void this.run();
  }

  private recordLost(fromSeq: number, toSeq: number, reason: string, atMs: number): void {
    const { store, deviceId } = this.opts;
    store.readings.addGap({ deviceId, boot: this.boot, fromSeq, toSeq, state: 'lost', reason, atMs });
    store.events.add({ atMs, deviceId, kind: 'readings.gap', detail: { boot: this.boot, fromSeq, toSeq, reason } });
  }

  private lose(g: SequenceGap, fromSeq: number, toSeq: number, reason: string, atMs: number): void {
    const { store, deviceId } = this.opts;
    store.readings.loseGap(g.id, fromSeq, toSeq, reason, atMs);
    store.events.add({ atMs, deviceId, kind: 'readings.gap', detail: { boot: g.boot, fromSeq, toSeq, reason } });
  }

  private openGaps(): SequenceGap[] {
    return this.opts.store.readings.gaps(this.opts.deviceId, 'open').filter((g) => g.boot === this.boot);
  }

  /** Every open gap of this boot that lies wholly below `seq` is gone from the board. */
  private loseOlderThan(seq: number, reason: string): void {
    const now = this.opts.clock.now();
    for (const g of this.openGaps()) {
      if (g.toSeq < seq) this.lose(g, g.fromSeq, g.toSeq, reason, now);
    }
  }

  /** Seq ranges in from..to that the store does not hold. */
  private missing(fromSeq: number, toSeq: number): Array<[number, number]> {
    const have = this.opts.store.readings.seqsStored(this.opts.deviceId, this.boot, fromSeq, toSeq);
    const out: Array<[number, number]> = [];
    let next = fromSeq;
    for (const s of have) {
      if (s > next) out.push([next, s - 1]);
      next = s + 1;
    }
    if (next <= toSeq) out.push([next, toSeq]);
    return out;
  }

  private async run(): Promise<void> {
    if (this.running || !this.active) return;
    this.running = true;
    const { store, clock, deviceId } = this.opts;
    try {
      while (this.active) {
        const g = this.openGaps().at(-1); // newest first
        if (!g) break;
        const now = clock.now();
        if (!this.canReplay) {
          this.lose(g, g.fromSeq, g.toSeq, 'the board cannot replay (NAK E_UNKNOWN)', now);
          continue;
        }
        const key = `${g.boot}:${g.fromSeq}:${g.toSeq}`;
        const tries = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, tries);
        if (tries > this.opts.maxAttempts) {
          this.lose(g, g.fromSeq, g.toSeq, `replay failed ${this.opts.maxAttempts} times`, now);
          continue;
        }
        let out: CommandOutcome;
        try {
          out = await this.opts.send({ op: 'replay', from: g.fromSeq, to: g.toSeq });
        } catch {
          // Timed out after its retries, or the link went: the gap stays open for the next try.
          this.retryPending = true;
          break;
        }
        const at = clock.now();
        if (out.outcome === 'nak') {
          if (out.code === 'E_UNKNOWN') this.canReplay = false;
          this.lose(g, g.fromSeq, g.toSeq, `the board refused REPLAY: NAK ${out.code}`, at);
          continue;
        }
        const replay = out.outcome === 'ack' ? (out.replay ?? { n: 0 }) : { n: 0 };
        let ringStart = g.fromSeq;
        if (replay.n === 0 || replay.from === undefined) {
          ringStart = g.toSeq + 1;
        } else if (replay.from > g.fromSeq) {
          ringStart = replay.from;
        }
        if (ringStart > g.fromSeq) {
          this.lose(g, g.fromSeq, ringStart - 1, 'older than the board\u2019s ring', at);
          this.loseOlderThan(g.fromSeq, 'older than the board\u2019s ring');
        } else {
          store.readings.deleteGap(g.id);
        }
        if (ringStart <= g.toSeq) {
          // What the board sent is in the store unless a line was spoiled on the way: ask again for that.
          for (const [from, to] of this.missing(ringStart, g.toSeq)) {
            this.attempts.set(`${g.boot}:${from}:${to}`, tries);
            store.readings.addGap({ deviceId, boot: g.boot, fromSeq: from, toSeq: to, state: 'open', reason: 'replayed line did not arrive', atMs: at });
          }
          const filled = g.toSeq - ringStart + 1;
          store.events.add({ atMs: at, deviceId, kind: 'readings.replayed', detail: { boot: g.boot, fromSeq: ringStart, toSeq: g.toSeq, sent: replay.n, asked: filled } });
        }
        this.attempts.delete(key);
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
