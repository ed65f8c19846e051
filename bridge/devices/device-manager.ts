/**
 * All boards of a bench: one BoardConnection per configured serial path (and per port the discovery finds:
 * port-discovery.ts), devices keyed by the serial number the board reports (a board that comes back on
 * another path is the same device), the power-up of every handshake (power-up.ts), readings through the
 * reading pipeline (reading-pipeline.ts) into the store exactly once per (device, power-up, seq), sequence
 * gaps replayed (GapFiller), the command audit (command-audit.ts), counters per device (kept in the store)
 * and per path, and the events the bridge's event hub numbers for its subscribers.
 *
 * Nothing lost, nothing spliced:
 * - At every handshake the bench decides the power-up (power-up.ts): the board's boot counter is evidence,
 *   its clock and the stored readings are too. A new power-up and board boots never seen are events and
 *   rows of `power_ups`.
 * - A live reading that doubts the stream is checked with STATUS before it is believed, and the live
 *   readings after it wait meanwhile (in order):
 *   - a seq far beyond what the board can have taken since the last reading (its period says how many;
 *     with no period known yet, its ring size): true when STATUS shows the board got that far, else the
 *     reading is rejected (`E_SEQ`) and recorded, so one bad frame cannot record billions of lost
 *     readings nor move the replay's starting point;
 *   - a seq already stored with other values or another board time (a conflict, always recorded): when
 *     STATUS shows the board restarted (its seq or uptime behind what is stored, or another boot) the
 *     readings from there on are filed under a new power-up; otherwise the received one is not stored.
 * - Every reading is checked for what is physically possible (reading-plausibility.ts) and stored with
 *   its flags; a flagged reading is counted and never used as real.
 */

import { EventEmitter } from 'node:events';
import type { Binding } from './binding.js';
import type { Command } from '../../firmware/protocol/index.js';
import type { Clock } from '../clock.js';
import { BridgeError } from '../errors.js';
import type { DeviceState, DeviceView, LinkCounters, ReadingView } from '../events.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { BoardConnection, type CommandOutcome, type IdentityMessage } from './board-connection.js';
import { GapFiller } from './gap-filler.js';
import { decidePowerUp } from './power-up.js';
import { RejectLog, type LogLevel } from './reject-log.js';
import { auditCommands } from './command-audit.js';
import { MAX_HELD_READINGS, type Device } from './device-record.js';
import { ReadingPipeline } from './reading-pipeline.js';
import { PortDiscovery, canonical, type DiscoveryOptions } from './port-discovery.js';

export interface PortConfig {
  path: string;
  /** Default 115200. */
  baudRate?: number;
  /**
   * The board's reading period, ms, when it is known from its configuration. Until the bridge has learned the
   * period from two readings in a row, a board that sends nothing for 30 s is silent; a board reporting less
   * often than that (one reading a minute) needs this, or it is re-greeted between every two readings.
   */
  periodMs?: number;
}

export interface DeviceManagerOptions {
  ports: PortConfig[];
  /** Default: no discovery, only `ports`. */
  discovery?: DiscoveryOptions;
  binding: Binding;
  clock: Clock;
  store: SqliteStore;
  /** Default 2000. */
  handshakeTimeoutMs?: number;
  /** Default 2000. */
  commandTimeoutMs?: number;
  /** Retries of an idempotent command after a timeout. Default 2. */
  commandRetries?: number;
  /** Reconnect backoff: first wait and longest wait. Defaults 250 and 30000. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The cell a board cell measures (its RD's `cell`; null when it sends none). Default: the device id. */
  cellOf?: (deviceId: string, boardCell?: number | null) => string;
  /** The cells the configuration gives a device. Default: its own. */
  cellsOf?: (deviceId: string) => string[];
  /** Readings a board's ring holds, for judging a seq jump while its period is not known yet. Default 256. */
  ringSize?: number;
}

export interface DeviceManagerEvents {
  reading: [reading: ReadingView];
  /** A reading that arrived as a replay (older than the live stream); stored, not shown as live. */
  replayed: [reading: ReadingView];
  device: [device: DeviceView];
  /** A line from a board was skipped (every one; `log` is the rate-limited account of them for people). */
  rejected: [path: string, code: string, detail: string];
  /** Something for the bridge's log: rejected lines once per kind and then summarised, power-ups, conflicts. */
  log: [level: LogLevel, context: Record<string, unknown>, message: string];
}

/** Device views (with their counters) go to clients at most this often per device, besides state changes. */
const DEVICE_VIEW_INTERVAL_MS = 1000;
/**
 * A device's counters are written to the store at most this often while readings flow (bridge time), and at
 * every link change and at close: a crash loses at most this much of the counts, never a reading.
 */
const COUNTERS_SAVE_INTERVAL_MS = 600_000;

function zeroCounters(): LinkCounters {
  return { frames: 0, stored: 0, rejected: 0, boardErrors: 0, flagged: 0 };
}


export class DeviceManager extends EventEmitter<DeviceManagerEvents> {
  private readonly opts: DeviceManagerOptions;
  private readonly connections: BoardConnection[] = [];
  private readonly devices = new Map<string, Device>();
  /** When each device's counters were last written (bridge time). */
  private readonly countersSavedAtMs = new Map<string, number>();
  /** Counters per path, so that lines rejected before a board identifies itself are counted too. */
  private readonly counters = new Map<string, LinkCounters>();
  private nextId: number;
  private readonly rejectLog: RejectLog;

  constructor(options: DeviceManagerOptions) {
    super();
    this.opts = options;
    this.nextId = options.store.commands.lastId() + 1;
    this.rejectLog = new RejectLog({ clock: options.clock, log: (level, context, message) => this.emit('log', level, context, message) });
    this.pipeline = new ReadingPipeline({
      store: options.store,
      clock: options.clock,
      ringSize: options.ringSize ?? 256,
      cellOf: (deviceId, boardCell) => options.cellOf?.(deviceId, boardCell) ?? deviceId,
      count: (conn, key) => this.count(conn, key),
      uncount: (conn, key) => this.uncount(conn, key),
      rejected: (path, code, detail) => {
        this.emit('rejected', path, code, detail);
        this.rejectLog.rejected(path, code, detail);
      },
      log: (level, context, message) => this.emit('log', level, context, message),
      beginPowerUp: (...args) => this.beginPowerUp(...args),
      live: (dev, reading, receivedAtMs) => {
        this.emit('reading', reading);
        if (receivedAtMs - dev.lastViewEmitMs >= DEVICE_VIEW_INTERVAL_MS) {
          dev.lastViewEmitMs = receivedAtMs;
          if (receivedAtMs - (this.countersSavedAtMs.get(dev.id) ?? -Infinity) >= COUNTERS_SAVE_INTERVAL_MS) {
            this.countersSavedAtMs.set(dev.id, receivedAtMs);
            options.store.devices.saveCounters(dev.id, dev.counters);
          }
          this.emit('device', this.view(dev));
        }
      },
    });
    this.discovery = new PortDiscovery(options.discovery ?? {}, options.binding, (message) =>
      this.emit('rejected', '(list)', 'E_LIST', `cannot list serial ports (${message}); globs still work`),
    );
  }

  /** Opens every configured port. A port that fails to open is reported and retried with backoff. */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all(this.opts.ports.map((p) => this.openPort(p)));
    if (this.opts.discovery) await this.rescan();
  }

  private stopped = false;
  private rescanTimer: ReturnType<Clock['setTimeout']> | undefined;
  private readonly discovery: PortDiscovery;
  private readonly pipeline: ReadingPipeline;

  /** The paths the discovery finds now: glob matches and, if asked, the binding's list. */
  discover(): Promise<string[]> {
    return this.discovery.discover();
  }

  /** Looks for new paths now, opens them, and schedules the next look. */
  async rescan(): Promise<void> {
    if (this.rescanTimer) this.opts.clock.clearTimeout(this.rescanTimer);
    this.rescanTimer = undefined;
    if (this.stopped) return;
    const known = new Set(this.connections.map((c) => canonical(c.path)));
    for (const path of await this.discover()) {
      const real = canonical(path);
      if (known.has(real) || this.stopped) continue;
      known.add(real);
      this.opts.store.events.add({ atMs: this.opts.clock.now(), path, kind: 'link.discovered', detail: {} });
      await this.openPort({ path });
    }
    if (!this.stopped) this.rescanTimer = this.opts.clock.setTimeout(() => void this.rescan(), this.discovery.rescanMs);
  }

  /** The device a connection carries now, if it has identified itself. */
  private deviceOf(conn: BoardConnection): Device | undefined {
    const dev = conn.identity ? this.devices.get(conn.identity.serialNumber) : undefined;
    return dev?.connection === conn ? dev : undefined;
  }

  /** Adds to the path's counters and, once identified, to the device's. */
  private count(conn: BoardConnection, key: keyof LinkCounters): void {
    const c = this.counters.get(conn.path)!;
    c[key] = (c[key] ?? 0) + 1;
    const dev = this.deviceOf(conn);
    if (dev) dev.counters[key] = (dev.counters[key] ?? 0) + 1;
  }

  private uncount(conn: BoardConnection, key: keyof LinkCounters): void {
    const c = this.counters.get(conn.path)!;
    c[key] = (c[key] ?? 0) - 1;
    const dev = this.deviceOf(conn);
    if (dev) dev.counters[key] = (dev.counters[key] ?? 0) - 1;
  }

  private async openPort(cfg: PortConfig): Promise<void> {
    const { clock, store } = this.opts;
    const conn = new BoardConnection({
      path: cfg.path,
      baudRate: cfg.baudRate ?? 115200,
      binding: this.opts.binding,
      clock,
      handshakeTimeoutMs: this.opts.handshakeTimeoutMs ?? 2000,
      commandTimeoutMs: this.opts.commandTimeoutMs ?? 2000,
      retries: this.opts.commandRetries ?? 2,
      backoffMs: this.opts.backoffMs ?? 250,
      maxBackoffMs: this.opts.maxBackoffMs ?? 30_000,
      nextCommandId: () => this.nextId++,
    });
    if (cfg.periodMs !== undefined) conn.expectFramesEveryMs(cfg.periodMs);
    this.connections.push(conn);
    this.counters.set(cfg.path, zeroCounters());

    conn.on('state', (state, reason) => {
      const dev = this.deviceOf(conn);
      store.events.add({ atMs: clock.now(), path: cfg.path, deviceId: dev?.id, kind: `link.${state}`, detail: { reason } });
      if (state === 'silent' || state === 'lost') this.emit('log', 'warn', { path: cfg.path, deviceId: dev?.id ?? null, state }, `board on ${cfg.path} is "${state}": ${reason}`);
      if (state !== 'open' && dev) {
        dev.gaps.pause();
        this.pipeline.cancel(dev);
      }
      if (dev) {
        store.devices.saveCounters(dev.id, dev.counters);
        this.emit('device', this.view(dev));
      }
      if (dev && state === 'open') this.askStatus(conn, dev);
    });
    conn.on('identified', (identity, atMs) => this.onIdentified(conn, identity, atMs));
    conn.on('reading', (rd, receivedAtMs, replayed) => {
      const dev = this.deviceOf(conn);
      // count(conn, 'frames') written out: a counter picked by a variable key is a slow lookup, and every
      // reading passes here.
      this.counters.get(conn.path)!.frames++;
      if (!dev) return;
      dev.counters.frames++;
      if (replayed) {
        this.emit('replayed', this.pipeline.store(dev, conn, rd, receivedAtMs));
        return;
      }
      if (dev.verifying) {
        if (dev.verifying.held.length < MAX_HELD_READINGS) dev.verifying.held.push([rd, receivedAtMs]);
        return; // past the bound: not stored now, and so asked for by the replay of the gap it leaves
      }
      this.pipeline.onLive(dev, conn, rd, receivedAtMs);
    });
    conn.on('unsolicited', () => this.count(conn, 'frames'));
    conn.on('rejected', (code, detail) => {
      this.count(conn, 'rejected');
      this.emit('rejected', cfg.path, code, detail);
      this.rejectLog.rejected(cfg.path, code, detail);
    });
    conn.on('boardError', () => {
      this.count(conn, 'frames');
      this.count(conn, 'boardErrors');
    });
    conn.on('answer', () => this.count(conn, 'frames'));
    auditCommands(conn, store.commands);
    conn.on('openFailed', (message, retryInMs) => {
      store.events.add({ atMs: clock.now(), path: cfg.path, kind: 'link.open_failed', detail: { message, retryInMs: retryInMs ?? null } });
      this.emit('rejected', cfg.path, 'E_OPEN', `cannot open ${cfg.path}: ${message}`);
    });

    await conn.start();
  }

  private onIdentified(conn: BoardConnection, identity: IdentityMessage, atMs: number): void {
    const { store, clock } = this.opts;
    const id = identity.serialNumber;
    this.counters.get(conn.path)!.frames++;
    const known = store.devices.lastPowerUp(id);
    const decision = decidePowerUp(
      known && { powerUp: known.powerUp, boardBoot: known.boardBoot, last: store.readings.last(id, known.powerUp) },
      { ...(identity.boot !== undefined ? { boardBoot: identity.boot } : {}), handshakeBoardMs: identity.boardMs, atMs },
      store.devices.maxPowerUp(id),
    );
    if (decision.kind === 'new') {
      if (decision.lostBoardBoots) {
        const { first, last } = decision.lostBoardBoots;
        const reason = `board boot${first === last ? ` ${first} was` : `s ${first}–${last} were`} never seen by the bench: shorter than the reconnect backoff, or while the bridge was away`;
        store.devices.addPowerUp({ deviceId: id, powerUp: decision.powerUp - 1, boardBoot: first, boardBootLast: last, state: 'lost', startedAtMs: null, detectedAtMs: atMs, reason });
        store.events.add({ atMs, deviceId: id, path: conn.path, kind: 'power_up.lost', detail: { powerUp: decision.powerUp - 1, boardBoots: [first, last], reason } });
        this.emit('log', 'warn', { deviceId: id, boardBoots: [first, last] }, `${id}: ${reason}`);
      }
      this.beginPowerUp(id, conn.path, decision.powerUp, identity.boot ?? null, atMs - identity.boardMs, atMs, decision.reason);
    }
    store.devices.upsert(
      {
        id,
        kind: identity.kind,
        firmwareVersion: identity.firmwareVersion,
        protocolVersion: identity.protocolVersion,
        capabilities: identity.capabilities,
        path: conn.path,
      },
      atMs,
      decision.powerUp,
    );
    const existing = this.devices.get(id);
    if (existing && existing.connection !== conn) {
      store.events.add({ atMs, deviceId: id, path: conn.path, kind: 'device.moved', detail: { from: existing.connection.path, to: conn.path } });
    }
    if (existing) this.pipeline.cancel(existing);
    const dev: Device = existing ?? {
      id,
      connection: conn,
      boot: decision.powerUp,
      boardBoot: null,
      offsetMs: 0,
      lastReading: null,
      lastViewEmitMs: atMs,
      counters: { ...zeroCounters(), ...(store.devices.savedCounters(id) ?? {}) },
      gaps: new GapFiller({
        deviceId: id,
        store,
        clock,
        send: (command) => this.devices.get(id)!.connection.send(command),
      }),
      maxSeq: 0,
      ref: undefined,
      lastLive: undefined,
      periodMs: undefined,
      verifying: undefined,
      cells: new Set(this.opts.cellsOf?.(id) ?? [this.opts.cellOf?.(id) ?? id]),
    };
    dev.connection = conn;
    dev.boot = decision.powerUp;
    dev.boardBoot = identity.boot ?? null;
    dev.offsetMs = atMs - identity.boardMs;
    dev.lastViewEmitMs = atMs;
    dev.counters.frames++;
    dev.maxSeq = store.readings.maxSeq(id, dev.boot);
    dev.ref = undefined;
    dev.lastLive = undefined;
    if (dev.periodMs !== undefined) conn.expectFramesEveryMs(dev.periodMs);
    this.devices.set(dev.id, dev);
    dev.gaps.begin(dev.boot);
  }

  /** Records a new power-up of a device: a row, an event and a log line. */
  private beginPowerUp(deviceId: string, path: string, powerUp: number, boardBoot: number | null, startedAtMs: number, atMs: number, reason: string): void {
    const { store } = this.opts;
    store.devices.addPowerUp({ deviceId, powerUp, boardBoot, boardBootLast: null, state: 'seen', startedAtMs, detectedAtMs: atMs, reason });
    store.events.add({ atMs, deviceId, path, kind: 'power_up.new', detail: { powerUp, boardBoot, reason } });
    if (powerUp > 1) this.emit('log', 'info', { deviceId, powerUp, boardBoot }, `${deviceId}: power-up ${powerUp}: ${reason}`);
  }







  /** Once open: what did the board take while nobody listened? */
  private askStatus(conn: BoardConnection, dev: Device): void {
    // Boards without STATUS answer NAK E_UNKNOWN; then the first live reading's seq tells instead.
    void conn.send({ op: 'status' }).then(
      (out) => {
        if (dev.connection !== conn) return;
        if (out.outcome === 'status') {
          if (!dev.ref || out.status.seq >= dev.ref.seq) dev.ref = { seq: out.status.seq, atMs: this.opts.clock.now() };
          dev.gaps.onStatus(out.status.seq);
        } else dev.gaps.kick();
      },
      () => {
        if (dev.connection === conn) dev.gaps.kick();
      },
    );
  }

  private view(dev: Device): DeviceView {
    const id = dev.connection.identity!;
    const { store } = this.opts;
    const history = store.devices.historyCounts(dev.id);
    // { ...dev.counters, flagged, ...history } built by assignment, to the same keys in the same order: a
    // spread followed by more properties takes V8's slow path, microseconds for every reading's view.
    const counters = Object.assign({}, dev.counters);
    counters.flagged = dev.counters.flagged ?? 0;
    Object.assign(counters, history);
    return {
      id: dev.id,
      cellId: this.opts.cellOf?.(dev.id) ?? dev.id,
      cellIds: [...dev.cells].sort(),
      kind: id.kind,
      firmwareVersion: id.firmwareVersion,
      protocolVersion: id.protocolVersion,
      capabilities: id.capabilities,
      path: dev.connection.path,
      state: dev.connection.state,
      powerUp: dev.boot,
      boardBoot: dev.boardBoot,
      counters,
      lastReading: dev.lastReading,
    };
  }

  /** The ids of the devices identified since start, without building their views. */
  ids(): string[] {
    return [...this.devices.keys()];
  }

  list(): DeviceView[] {
    return [...this.devices.values()].map((d) => this.view(d)).sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): DeviceView | undefined {
    const dev = this.devices.get(id);
    return dev ? this.view(dev) : undefined;
  }

  /** The boot the device's readings are stored under now. */
  bootOf(id: string): number | undefined {
    return this.devices.get(id)?.boot;
  }

  /** Commands queued or in flight for a device, link commands included. */
  queued(id: string): number {
    return this.devices.get(id)?.connection.queued ?? 0;
  }

  /** Resolves once the device has no replay running (tests, shutdown). */
  async replayIdle(id: string): Promise<void> {
    await this.devices.get(id)?.gaps.idle();
  }

  /** Counters summed over every port, identified or not, since this bridge process started. */
  totals(): LinkCounters {
    const t = zeroCounters();
    for (const c of this.counters.values()) {
      t.frames += c.frames;
      t.stored += c.stored;
      t.rejected += c.rejected;
      t.boardErrors += c.boardErrors;
      t.flagged! += c.flagged ?? 0;
    }
    return t;
  }

  /** States of every configured port, identified or not. */
  ports(): Array<{ path: string; state: DeviceState; deviceId: string | null }> {
    return this.connections.map((c) => ({ path: c.path, state: c.state, deviceId: c.identity?.serialNumber ?? null }));
  }

  /** Sends an operator's command; `actor` names who asked, for the audit log. */
  async send(deviceId: string, command: Command, actor?: string): Promise<CommandOutcome> {
    const dev = this.devices.get(deviceId);
    if (!dev) throw new BridgeError('BRIDGE_ERR_DEVICE_NOT_FOUND', 404, `no device "${deviceId}"`);
    return dev.connection.send(command, actor);
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.rescanTimer) this.opts.clock.clearTimeout(this.rescanTimer);
    this.rescanTimer = undefined;
    for (const dev of this.devices.values()) dev.gaps.pause();
    await Promise.all(this.connections.map((c) => c.close()));
    this.opts.store.readings.flush();
    for (const dev of this.devices.values()) this.opts.store.devices.saveCounters(dev.id, dev.counters);
    this.rejectLog.close();
  }
}
