/**
 * The reading pipeline of the device manager: what happens to every RD a board sends. A replayed reading is
 * stored; a live one is believed, or held while STATUS settles a doubt about it (device-manager.ts has the
 * rules: a seq far beyond what the board can have taken, or one that collides with a different stored
 * reading), then stored with its plausibility flags and cell, handed to the gap filler, and passed on.
 */

import type { Clock } from '../clock.js';
import type { LinkCounters, ReadingView } from '../events.js';
import { sameReading } from '../store/reading-store.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { BoardConnection, ReadingMessage, StatusMessage } from './board-connection.js';
import type { Device, Doubt } from './device-record.js';
import { readingFlags } from './reading-plausibility.js';
import type { LogLevel } from './reject-log.js';


/** What the pipeline needs of the device manager it runs in. */
export interface PipelineHost {
  store: SqliteStore;
  clock: Clock;
  /** Readings a board's ring holds, for judging a seq jump while its period is not known yet. */
  ringSize: number;
  cellOf(deviceId: string, boardCell: number | null): string;
  count(conn: BoardConnection, key: keyof LinkCounters): void;
  uncount(conn: BoardConnection, key: keyof LinkCounters): void;
  /** A line turned out not to be a reading of this board: counted, emitted and logged as rejected. */
  rejected(path: string, code: string, detail: string): void;
  log(level: LogLevel, context: Record<string, unknown>, message: string): void;
  beginPowerUp(deviceId: string, path: string, powerUp: number, boardBoot: number | null, startedAtMs: number, atMs: number, reason: string): void;
  /** A believed live reading, stored: to clients. */
  live(dev: Device, reading: ReadingView, receivedAtMs: number): void;
}

export class ReadingPipeline {
  constructor(private readonly host: PipelineHost) {}

  /** A live reading, in order: believed, or held while STATUS settles a doubt about it. */
  onLive(dev: Device, conn: BoardConnection, rd: ReadingMessage, receivedAtMs: number): void {
    const doubt = this.doubt(dev, rd, receivedAtMs);
    if (!doubt) {
      this.accept(dev, conn, rd, receivedAtMs);
      return;
    }
    const verifying = { held: [] as Array<[ReadingMessage, number]>, cancelled: false };
    dev.verifying = verifying;
    const settle = (status: StatusMessage | 'unsupported' | undefined): void => {
      if (verifying.cancelled) return;
      dev.verifying = undefined;
      if (status === 'unsupported') {
        // A board before STATUS (NAK E_UNKNOWN) cannot be asked: its stream is taken as it comes, as before.
        if (doubt.kind === 'jump') this.accept(dev, conn, rd, receivedAtMs);
        else this.settle(dev, conn, rd, receivedAtMs, doubt, undefined);
      } else this.settle(dev, conn, rd, receivedAtMs, doubt, status);
      // The readings that waited, in order; one of them may start another wait, which takes the rest.
      const held = verifying.held;
      for (let i = 0; i < held.length; i++) {
        const [r, at] = held[i]!;
        const waiting = dev.verifying as Device['verifying']; // another doubt may have started a wait
        if (waiting) {
          waiting.held.push(...held.slice(i));
          break;
        }
        this.onLive(dev, conn, r, at);
      }
    };
    void conn.send({ op: 'status' }).then(
      (out) => settle(out.outcome === 'status' ? out.status : out.outcome === 'nak' && out.code === 'E_UNKNOWN' ? 'unsupported' : undefined),
      () => settle(undefined),
    );
  }

  /** Whether a live reading must be checked with STATUS before it is believed, and why. */
  doubt(dev: Device, rd: ReadingMessage, receivedAtMs: number): Doubt | undefined {
    if (rd.seq <= dev.maxSeq) {
      const stored = this.host.store.readings.get(dev.id, dev.boot, rd.seq);
      return stored && !sameReading(stored, rd) ? { kind: 'conflict', stored } : undefined;
    }
    const ref = dev.ref ?? { seq: dev.maxSeq, atMs: undefined };
    const jump = rd.seq - ref.seq;
    if (jump <= 1) return undefined;
    let plausible: number;
    if (dev.periodMs !== undefined && ref.atMs !== undefined) {
      // Readings the board can have taken since the reference, with room for a slow link and a fast clock.
      plausible = Math.ceil((1.5 * (receivedAtMs - ref.atMs + dev.periodMs)) / dev.periodMs) + 1;
    } else {
      plausible = ref.atMs !== undefined ? (this.host.ringSize) : 1;
    }
    return jump > plausible ? { kind: 'jump', fromSeq: ref.seq } : undefined;
  }

  settle(dev: Device, conn: BoardConnection, rd: ReadingMessage, receivedAtMs: number, doubt: Doubt, status: StatusMessage | undefined): void {
    const { store, clock } = this.host;
    const atMs = clock.now();
    if (doubt.kind === 'jump') {
      if (status && status.seq >= rd.seq && (dev.boardBoot === null || status.boot === dev.boardBoot)) {
        dev.ref = { seq: status.seq, atMs };
        this.accept(dev, conn, rd, receivedAtMs);
        return;
      }
      const why = status ? `STATUS says the board's last seq is ${status.seq}` : 'STATUS got no answer';
      const detail = `reading seq=${rd.seq} is beyond what the board can have taken since seq ${doubt.fromSeq}, and ${why}; not stored`;
      store.events.add({ atMs, deviceId: dev.id, path: conn.path, kind: 'reading.implausible_seq', detail: { boot: dev.boot, seq: rd.seq, fromSeq: doubt.fromSeq, statusSeq: status?.seq ?? null } });
      // A decoded frame that turned out not to be a reading of this board: moved from frames to rejected.
      this.host.uncount(conn, 'frames');
      this.host.count(conn, 'rejected');
      this.host.rejected(conn.path, 'E_SEQ', detail);
      return;
    }
    const stored = doubt.stored;
    const restarted =
      status !== undefined &&
      (status.seq < dev.maxSeq || status.upMs < stored.boardMs || (dev.boardBoot !== null && status.boot !== dev.boardBoot));
    const received = { seq: rd.seq, boardMs: rd.boardMs, o2Kpa: rd.o2Kpa, co2Kpa: rd.co2Kpa, tempC: rd.tempC, receivedAtMs };
    if (restarted) {
      const old = dev.boot;
      const powerUp = store.devices.maxPowerUp(dev.id) + 1;
      const reason = `reading seq=${rd.seq} differs from the one stored under power-up ${old}, and STATUS (seq ${status.seq}, up ${status.upMs} ms) shows the board restarted`;
      store.readings.addConflict({ deviceId: dev.id, boot: old, seq: rd.seq, atMs, stored, received, resolution: `filed under the new power-up ${powerUp}` });
      this.host.beginPowerUp(dev.id, conn.path, powerUp, status.boot ?? dev.boardBoot, atMs - status.upMs, atMs, reason);
      store.db.prepare('UPDATE devices SET boot = ? WHERE id = ?').run(powerUp, dev.id);
      dev.boot = powerUp;
      dev.boardBoot = status.boot;
      dev.offsetMs = atMs - status.upMs;
      dev.maxSeq = 0;
      dev.ref = { seq: status.seq, atMs };
      dev.lastLive = undefined;
      dev.gaps.begin(powerUp);
      dev.gaps.kick();
      this.host.log('warn', { deviceId: dev.id, powerUp, seq: rd.seq }, `${dev.id}: ${reason}; its readings go on under power-up ${powerUp}`);
      this.accept(dev, conn, rd, receivedAtMs);
      return;
    }
    const resolution = status
      ? `STATUS (seq ${status.seq}, up ${status.upMs} ms) shows the same power-up: the stored reading is kept, the received one is not stored`
      : 'STATUS got no answer: the stored reading is kept, the received one is not stored';
    store.readings.addConflict({ deviceId: dev.id, boot: dev.boot, seq: rd.seq, atMs, stored, received, resolution });
    store.events.add({ atMs, deviceId: dev.id, path: conn.path, kind: 'reading.conflict', detail: { boot: dev.boot, seq: rd.seq, resolution } });
    this.host.log('warn', { deviceId: dev.id, seq: rd.seq }, `${dev.id}: reading seq=${rd.seq} conflicts with the stored one; ${resolution}`);
  }

  /** A believed live reading: stored, the gap filler told, clients told. */
  accept(dev: Device, conn: BoardConnection, rd: ReadingMessage, receivedAtMs: number): void {
    const reading = this.store(dev, conn, rd, receivedAtMs);
    if (dev.lastLive && rd.seq === dev.lastLive.seq + 1 && rd.boardMs > dev.lastLive.boardMs) {
      const periodMs = rd.boardMs - dev.lastLive.boardMs;
      if (dev.periodMs === undefined || Math.abs(periodMs - dev.periodMs) > dev.periodMs / 10) {
        dev.periodMs = periodMs;
        conn.expectFramesEveryMs(periodMs);
      }
    }
    dev.lastLive = { seq: rd.seq, boardMs: rd.boardMs };
    dev.ref = { seq: rd.seq, atMs: receivedAtMs };
    dev.gaps.onLiveReading(rd.seq);
    dev.lastReading = reading;
    this.host.live(dev, reading, receivedAtMs);
  }

  /** Queues a reading for the store, flagged as the plausibility checks say; returns its view. */
  store(dev: Device, conn: BoardConnection, rd: ReadingMessage, receivedAtMs: number): ReadingView {
    const measuredAtMs = rd.boardMs + dev.offsetMs;
    const { o2Kpa, co2Kpa, tempC } = rd;
    const flags = readingFlags({ o2Kpa, co2Kpa, tempC, measuredAtMs }, receivedAtMs);
    const boardCell = rd.cell ?? null;
    const cellId = this.host.cellOf(dev.id, boardCell);
    dev.cells.add(cellId);
    // Written out rather than spread (the same keys in the same order): this runs for every reading.
    const reading: ReadingView = { deviceId: dev.id, seq: rd.seq, boardMs: rd.boardMs, measuredAtMs, receivedAtMs, o2Kpa, co2Kpa, tempC, flags, cellId, boardCell };
    const row = { deviceId: dev.id, seq: rd.seq, boardMs: rd.boardMs, measuredAtMs, receivedAtMs, o2Kpa, co2Kpa, tempC, flags, cellId, boardCell, boot: dev.boot };
    this.host.store.readings.queue(row, (outcome) => {
      if (outcome !== 'new') return;
      this.host.count(conn, 'stored');
      if (flags.length > 0) this.host.count(conn, 'flagged');
    });
    if (rd.seq > dev.maxSeq) dev.maxSeq = rd.seq;
    return reading;
  }

  /** A STATUS that would settle a doubt will not come (the link went): the held readings are left to the replay. */
  cancel(dev: Device): void {
    if (!dev.verifying) return;
    dev.verifying.cancelled = true;
    dev.verifying = undefined;
  }
}
