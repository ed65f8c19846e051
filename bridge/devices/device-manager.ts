/**
 * All boards of a bench: one BoardConnection per configured serial path, devices keyed by the serial
 * number the board reports, readings stored exactly once, counters per device, and the events the
 * realtime layer forwards to clients.
 */

import { EventEmitter } from 'node:events';
import type { Binding } from './binding.js';
import type { Command } from '../../firmware/protocol/index.js';
import type { Clock } from '../clock.js';
import { BridgeError } from '../errors.js';
import type { DeviceState, DeviceView, LinkCounters, ReadingView } from '../events.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { BoardConnection, type CommandOutcome, type IdentityMessage } from './board-connection.js';

export interface PortConfig {
  path: string;
  /** Default 115200. */
  baudRate?: number;
}

export interface DeviceManagerOptions {
  ports: PortConfig[];
  binding: Binding;
  clock: Clock;
  store: SqliteStore;
  handshakeTimeoutMs?: number;
  commandTimeoutMs?: number;
}

export interface DeviceManagerEvents {
  reading: [reading: ReadingView];
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
}

/** Device views (with their counters) go to clients at most this often per device, besides state changes. */
const DEVICE_VIEW_INTERVAL_MS = 1000;

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

  /** Opens every configured port. A port that fails to open is reported and does not stop the others. */
  async start(): Promise<void> {
    await Promise.all(this.opts.ports.map((p) => this.openPort(p)));
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
      nextCommandId: () => this.nextId++,
    });
    this.connections.push(conn);
    const counters = zeroCounters();
    this.counters.set(cfg.path, counters);

    conn.on('state', (state, reason) => {
      store.event({ atMs: clock.now(), path: cfg.path, deviceId: conn.identity?.serialNumber, kind: `link.${state}`, detail: { reason } });
      const dev = conn.identity ? this.devices.get(conn.identity.serialNumber) : undefined;
      if (dev) this.emit('device', this.view(dev));
    });
    conn.on('identified', (identity, atMs) => this.onIdentified(conn, identity, atMs));
    conn.on('reading', (rd, receivedAtMs) => {
      counters.frames++;
      const dev = conn.identity ? this.devices.get(conn.identity.serialNumber) : undefined;
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
      if (store.insertReading({ ...reading, boot: dev.boot })) counters.stored++;
      dev.lastReading = reading;
      this.emit('reading', reading);
      if (receivedAtMs - dev.lastViewEmitMs >= DEVICE_VIEW_INTERVAL_MS) {
        dev.lastViewEmitMs = receivedAtMs;
        this.emit('device', this.view(dev));
      }
    });
    conn.on('rejected', (code, detail) => {
      counters.rejected++;
      this.emit('rejected', cfg.path, code, detail);
    });
    conn.on('boardError', () => {
      counters.frames++;
      counters.boardErrors++;
    });
    conn.on('commandSent', (id, command, atMs) => {
      // HELLO is part of the link, not an operator's command; it is not audited as one.
      if (command.op === 'hello') return;
      const { op, ...args } = command;
      store.commandSent({ id, deviceId: conn.identity?.serialNumber ?? cfg.path, op, args, sentAtMs: atMs });
    });
    conn.on('commandFinished', (id, outcome, atMs, nakCode) => {
      if (outcome === 'ack' || outcome === 'nak') counters.frames++;
      store.commandFinished(id, outcome, atMs, nakCode);
    });

    try {
      await conn.open();
    } catch (err) {
      store.event({ atMs: clock.now(), path: cfg.path, kind: 'link.open_failed', detail: { message: (err as Error).message } });
      this.emit('rejected', cfg.path, 'E_OPEN', `cannot open ${cfg.path}: ${(err as Error).message}`);
    }
  }

  private onIdentified(conn: BoardConnection, identity: IdentityMessage, atMs: number): void {
    const counters = this.counters.get(conn.path)!;
    counters.frames++;
    const stored = this.opts.store.upsertDevice(
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
    );
    const existing = this.devices.get(identity.serialNumber);
    const dev: Device = {
      id: identity.serialNumber,
      connection: conn,
      boot: stored.boot,
      offsetMs: atMs - identity.boardMs,
      lastReading: existing?.lastReading ?? null,
      lastViewEmitMs: atMs,
    };
    this.devices.set(dev.id, dev);
  }

  private view(dev: Device): DeviceView {
    const id = dev.connection.identity!;
    return {
      id: dev.id,
      kind: id.kind,
      firmwareVersion: id.firmwareVersion,
      protocolVersion: id.protocolVersion,
      capabilities: id.capabilities,
      path: dev.connection.path,
      state: dev.connection.state,
      counters: { ...this.counters.get(dev.connection.path)! },
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

  async send(deviceId: string, command: Command): Promise<CommandOutcome> {
    const dev = this.devices.get(deviceId);
    if (!dev) throw new BridgeError('BRIDGE_ERR_DEVICE_NOT_FOUND', 404, `no device "${deviceId}"`);
    return dev.connection.send(command);
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }
}
