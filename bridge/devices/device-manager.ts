/**
 * All boards of a bench: one BoardConnection per configured serial path, devices keyed by the serial
 * number the board reports (a board that comes back on another path is the same device), readings stored
 * exactly once per (device, boot, seq), sequence gaps replayed (GapFiller), counters per device and per
 * path, and the events the realtime layer forwards to clients.
 */

import { EventEmitter } from 'node:events';
import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Binding } from './binding.js';
import type { Command } from '../../firmware/protocol/index.js';
import type { Clock } from '../clock.js';
import { BridgeError } from '../errors.js';
import type { DeviceState, DeviceView, LinkCounters, ReadingView } from '../events.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { BoardConnection, type CommandOutcome, type IdentityMessage } from './board-connection.js';
import { GapFiller } from './gap-filler.js';

export interface PortConfig {
  path: string;
  /** Default 115200. */
  baudRate?: number;
}

/** Finding serial paths besides the configured ones, and finding them again as boards come and go. */
export interface DiscoveryOptions {
  /** Path patterns with `*` and `?` in the last part, e.g. `/dev/ttyUSB*`, `/dev/ttyACM*`, `/tmp/run/GB-*`. */
  globs?: string[];
  /** Also ask the binding's `list()` (udev on Linux); a failing list (no udevadm) is logged, not fatal. Default false. */
  list?: boolean;
  /** How often to look again, ms of the clock. Default 2000. */
  rescanMs?: number;
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
  /** The cell a device measures. Default: the device id. */
  cellOf?: (deviceId: string) => string;
}

export interface DeviceManagerEvents {
  reading: [reading: ReadingView];
  /** A reading that arrived as a replay (older than the live stream); stored, not shown as live. */
  replayed: [reading: ReadingView];
  device: [device: DeviceView];
  /** A line from a board was skipped; for logs. */
  rejected: [path: string, code: string, detail: string];
}

interface Device {
  id: string;
  connection: BoardConnection;
  boot: number;
  /** Board time to bridge time: measuredAtMs = boardMs + offsetMs, fixed at the handshake. */
  offsetMs: number;
  lastReading: ReadingView | null;
  /** When the last 'device' event for this device went out; counters ride on it at most once a second. */
  lastViewEmitMs: number;
  counters: LinkCounters;
  gaps: GapFiller;
}

/** Device views (with their counters) go to clients at most this often per device, besides state changes. */
const DEVICE_VIEW_INTERVAL_MS = 1000;

/** The paths a pattern with `*` and `?` in its last part matches now (none when its folder is missing). */
export function expandGlob(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (/[*?]/.test(dir)) throw new RangeError(`only the last part of a discovery pattern may hold * or ?: "${pattern}"`);
  if (!/[*?]/.test(base)) return [pattern];
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return readdirSync(dir).filter((name) => re.test(name)).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** One name per device file: a symlink and its target are the same port. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function zeroCounters(): LinkCounters {
  return { frames: 0, stored: 0, rejected: 0, boardErrors: 0 };
}

export class DeviceManager extends EventEmitter<DeviceManagerEvents> {
  private readonly opts: DeviceManagerOptions;
  private readonly connections: BoardConnection[] = [];
  private readonly devices = new Map<string, Device>();
  /** Counters per path, so that lines rejected before a board identifies itself are counted too. */
  private readonly counters = new Map<string, LinkCounters>();
  private nextId: number;

  constructor(options: DeviceManagerOptions) {
    super();
    this.opts = options;
    this.nextId = options.store.lastCommandId() + 1;
  }

  /** Opens every configured port. A port that fails to open is reported and retried with backoff. */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all(this.opts.ports.map((p) => this.openPort(p)));
    if (this.opts.discovery) await this.rescan();
  }

  private stopped = false;
  private rescanTimer: ReturnType<Clock['setTimeout']> | undefined;
  private listFailed = false;

  /** The paths the discovery finds now: glob matches and, if asked, the binding's list. */
  async discover(): Promise<string[]> {
    const d = this.opts.discovery ?? {};
    const found = new Set<string>();
    for (const g of d.globs ?? []) for (const p of expandGlob(g)) found.add(p);
    if (d.list) {
      try {
        for (const info of await this.opts.binding.list()) found.add(info.path);
        this.listFailed = false;
      } catch (err) {
        if (!this.listFailed) this.emit('rejected', '(list)', 'E_LIST', `cannot list serial ports (${(err as Error).message}); globs still work`);
        this.listFailed = true;
      }
    }
    return [...found].sort();
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
      this.opts.store.event({ atMs: this.opts.clock.now(), path, kind: 'link.discovered', detail: {} });
      await this.openPort({ path });
    }
    if (!this.stopped) this.rescanTimer = this.opts.clock.setTimeout(() => void this.rescan(), this.opts.discovery?.rescanMs ?? 2000);
  }

  /** The device a connection carries now, if it has identified itself. */
  private deviceOf(conn: BoardConnection): Device | undefined {
    const dev = conn.identity ? this.devices.get(conn.identity.serialNumber) : undefined;
    return dev?.connection === conn ? dev : undefined;
  }

  /** Adds to the path's counters and, once identified, to the device's. */
  private count(conn: BoardConnection, key: keyof LinkCounters): void {
    this.counters.get(conn.path)![key]++;
    const dev = this.deviceOf(conn);
    if (dev) dev.counters[key]++;
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
    this.connections.push(conn);
    this.counters.set(cfg.path, zeroCounters());

    conn.on('state', (state, reason) => {
      const dev = this.deviceOf(conn);
      store.event({ atMs: clock.now(), path: cfg.path, deviceId: dev?.id, kind: `link.${state}`, detail: { reason } });
      if (state !== 'open') dev?.gaps.pause();
      if (dev) this.emit('device', this.view(dev));
      if (dev && state === 'open') this.askStatus(conn, dev);
    });
    conn.on('identified', (identity, atMs) => this.onIdentified(conn, identity, atMs));
    conn.on('reading', (rd, receivedAtMs, replayed) => {
      this.count(conn, 'frames');
      const dev = this.deviceOf(conn);
      if (!dev) return;
      const reading: ReadingView = {
        deviceId: dev.id,
        seq: rd.seq,
        boardMs: rd.boardMs,
        measuredAtMs: rd.boardMs + dev.offsetMs,
        receivedAtMs,
        o2Kpa: rd.o2Kpa,
        co2Kpa: rd.co2Kpa,
        tempC: rd.tempC,
      };
      store.queueReading({ ...reading, boot: dev.boot }, (isNew) => {
        if (isNew) this.count(conn, 'stored');
      });
      if (replayed) {
        this.emit('replayed', reading);
        return;
      }
      dev.gaps.onLiveReading(rd.seq);
      dev.lastReading = reading;
      this.emit('reading', reading);
      if (receivedAtMs - dev.lastViewEmitMs >= DEVICE_VIEW_INTERVAL_MS) {
        dev.lastViewEmitMs = receivedAtMs;
        this.emit('device', this.view(dev));
      }
    });
    conn.on('rejected', (code, detail) => {
      this.count(conn, 'rejected');
      this.emit('rejected', cfg.path, code, detail);
    });
    conn.on('boardError', () => {
      this.count(conn, 'frames');
      this.count(conn, 'boardErrors');
    });
    conn.on('answer', () => this.count(conn, 'frames'));
    conn.on('commandSent', (id, command, atMs, retryOf, actor) => {
      // HELLO, STATUS and REPLAY keep the link and the store whole; they are not an operator's commands,
      // and their outcomes are written as link and readings events instead.
      if (command.op === 'hello' || command.op === 'status' || command.op === 'replay') return;
      const { op, ...args } = command;
      store.commandSent({ id, deviceId: conn.identity?.serialNumber ?? cfg.path, op, args, sentAtMs: atMs, retryOf, actor: actor ?? 'bridge' });
    });
    conn.on('commandFinished', (id, outcome, atMs, nakCode) => {
      store.commandFinished(id, outcome, atMs, nakCode);
    });
    conn.on('openFailed', (message, retryInMs) => {
      store.event({ atMs: clock.now(), path: cfg.path, kind: 'link.open_failed', detail: { message, retryInMs: retryInMs ?? null } });
      this.emit('rejected', cfg.path, 'E_OPEN', `cannot open ${cfg.path}: ${message}`);
    });

    await conn.start();
  }

  private onIdentified(conn: BoardConnection, identity: IdentityMessage, atMs: number): void {
    const { store, clock } = this.opts;
    this.counters.get(conn.path)!.frames++;
    const stored = store.upsertDevice(
      {
        id: identity.serialNumber,
        kind: identity.kind,
        firmwareVersion: identity.firmwareVersion,
        protocolVersion: identity.protocolVersion,
        capabilities: identity.capabilities,
        path: conn.path,
      },
      identity.boardMs,
      atMs,
      identity.boot,
    );
    const existing = this.devices.get(identity.serialNumber);
    if (existing && existing.connection !== conn) {
      store.event({ atMs, deviceId: identity.serialNumber, path: conn.path, kind: 'device.moved', detail: { from: existing.connection.path, to: conn.path } });
    }
    const dev: Device = existing ?? {
      id: identity.serialNumber,
      connection: conn,
      boot: stored.boot,
      offsetMs: 0,
      lastReading: null,
      lastViewEmitMs: atMs,
      counters: zeroCounters(),
      gaps: new GapFiller({
        deviceId: identity.serialNumber,
        store,
        clock,
        send: (command) => this.devices.get(identity.serialNumber)!.connection.send(command),
      }),
    };
    dev.connection = conn;
    dev.boot = stored.boot;
    dev.offsetMs = atMs - identity.boardMs;
    dev.lastViewEmitMs = atMs;
    dev.counters.frames++;
    this.devices.set(dev.id, dev);
    dev.gaps.begin(dev.boot);
  }

  /** Once open: what did the board take while nobody listened? */
  private askStatus(conn: BoardConnection, dev: Device): void {
    // Boards without STATUS answer NAK E_UNKNOWN; then the first live reading's seq tells instead.
    void conn.send({ op: 'status' }).then(
      (out) => {
        if (dev.connection !== conn) return;
        if (out.outcome === 'status') dev.gaps.onStatus(out.status.seq);
        else dev.gaps.kick();
      },
      () => {
        if (dev.connection === conn) dev.gaps.kick();
      },
    );
  }

  private view(dev: Device): DeviceView {
    const id = dev.connection.identity!;
    return {
      id: dev.id,
      cellId: this.opts.cellOf?.(dev.id) ?? dev.id,
      kind: id.kind,
      firmwareVersion: id.firmwareVersion,
      protocolVersion: id.protocolVersion,
      capabilities: id.capabilities,
      path: dev.connection.path,
      state: dev.connection.state,
      counters: { ...dev.counters },
      lastReading: dev.lastReading,
    };
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

  /** Counters summed over every port, identified or not. */
  totals(): LinkCounters {
    const t = zeroCounters();
    for (const c of this.counters.values()) {
      t.frames += c.frames;
      t.stored += c.stored;
      t.rejected += c.rejected;
      t.boardErrors += c.boardErrors;
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
  }
}
