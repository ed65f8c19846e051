/**
 * socket.io: a snapshot with a sequence number on every (re)connect, rooms per device and cell, and
 * commands over the socket checked for the operator role. A real listening bridge (loopback, port 0) on
 * the mock binding, real socket.io clients.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  startBridge,
  type BridgeSnapshot,
  type ClientToServerEvents,
  type ReadingView,
  type RunningBridge,
  type ServerToClientEvents,
} from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until, waitForEvent } from '../helpers/wait.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';

describe('socket.io: snapshot, seq, rooms and commands', () => {
  let bridge: RunningBridge;
  const boards = [new FakeBoard('/dev/fake-1', { serialNumber: 'GB-0001' }), new FakeBoard('/dev/fake-2', { serialNumber: 'GB-0002' })];
  const clients: Client[] = [];

  beforeAll(async () => {
    bridge = await startBridge({
      port: 0,
      dbPath: ':memory:',
      clock: new ManualClock(),
      binding: fakeBoardBinding(boards),
      ports: boards.map((b) => ({ path: b.path })),
      cells: [{ id: 'cell-2', deviceId: 'GB-0002' }],
      auth: { mode: 'tokens', tokens: [{ name: 'otto', role: 'operator', token: OPERATOR }] },
    });
    await until(() => bridge.app.devices.list().filter((d) => d.state === 'open').length === 2, 'both open', 2_000_000);
    await until(() => bridge.app.devices.queued('GB-0001') + bridge.app.devices.queued('GB-0002') === 0, 'STATUS answered', 2_000_000);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await bridge?.close();
  });

  async function connect(auth: Record<string, unknown> = {}): Promise<{ socket: Client; snapshot: BridgeSnapshot }> {
    const socket: Client = io(bridge.url, { transports: ['websocket'], reconnection: false, auth });
    clients.push(socket);
    const [snapshot] = await waitForEvent<[BridgeSnapshot]>(socket as never, 'snapshot');
    return { socket, snapshot };
  }

  it('sends a snapshot with the devices, their cells and the current seq first', async () => {
    const { snapshot } = await connect();
    expect(snapshot.devices.map((d) => [d.id, d.cellId])).toEqual([
      ['GB-0001', 'GB-0001'],
      ['GB-0002', 'cell-2'],
    ]);
    expect(snapshot.rooms).toEqual(['all']);
    expect(snapshot.missed).toBeNull();
    expect(Number.isInteger(snapshot.seq)).toBe(true);
  });

  it('numbers every event, and tells a returning client how many it missed', async () => {
    const { socket, snapshot } = await connect();
    const got = waitForEvent<[ReadingView, number]>(socket as never, 'reading');
    boards[0]!.sendReading();
    const [, seq] = await got;
    expect(seq).toBeGreaterThan(snapshot.seq);
    socket.close();
    boards[0]!.sendReading();
    boards[1]!.sendReading();
    await until(() => bridge.app.store.readings.count() >= 3, 'stored', 2_000_000);
    const again = await connect({ lastSeq: seq });
    expect(again.snapshot.seq).toBeGreaterThan(seq);
    expect(again.snapshot.missed).toBe(again.snapshot.seq - seq);
  });

  it('sends a subscribed client only the events of its device and cell rooms', async () => {
    const { socket } = await connect();
    const { rooms } = await socket.emitWithAck('subscribe', { cells: ['cell-2'] });
    expect(rooms).toEqual(['cell:cell-2']);
    const seen: string[] = [];
    socket.on('reading', (r) => seen.push(r.deviceId));
    const { socket: all } = await connect();
    const lastAll = waitForEvent<[ReadingView]>(all as never, 'reading', (r) => r.deviceId === 'GB-0002');
    boards[0]!.sendReading();
    boards[1]!.sendReading();
    await lastAll;
    await until(() => seen.length >= 1, 'subscribed client got its reading', 2_000_000);
    expect(seen).toEqual(['GB-0002']);
  });

  it('runs a socket command only for an operator token', async () => {
    const { socket: anon } = await connect();
    const refused = await anon.emitWithAck('command', { deviceId: 'GB-0001', op: 'set_valve', valve: 'air', on: true });
    expect(refused).toMatchObject({ ok: false, code: 'BRIDGE_ERR_UNAUTHORIZED' });
    const { socket: op } = await connect({ token: OPERATOR });
    const bad = await op.emitWithAck('command', { deviceId: 'GB-0001', op: 'open_door' } as never);
    expect(bad).toMatchObject({ ok: false, code: 'BRIDGE_ERR_BAD_BODY' });
    const done = await op.emitWithAck('command', { deviceId: 'GB-0001', op: 'set_valve', valve: 'air', on: true });
    expect(done).toMatchObject({ ok: true, outcome: 'ack' });
    expect(boards[0]!.received.some((l) => /^SET id=\d+ valve=air on=1\*/.test(l))).toBe(true);
  });
});

describe('socket.io with protected reads', () => {
  it('refuses a connection without a viewer token with BRIDGE_ERR_UNAUTHORIZED', async () => {
    const board = new FakeBoard('/dev/fake-9', { serialNumber: 'GB-0009' });
    const bridge = await startBridge({
      port: 0,
      dbPath: ':memory:',
      clock: new ManualClock(),
      binding: fakeBoardBinding([board]),
      ports: [{ path: board.path }],
      auth: { mode: 'tokens', protectReads: true, tokens: [{ name: 'vera', role: 'viewer', token: 'cbt_viewer-token-for-tests-0000000000000000' }] },
    });
    try {
      const anon = io(bridge.url, { transports: ['websocket'], reconnection: false });
      const [err] = await waitForEvent<[Error & { data?: { code: string } }]>(anon as never, 'connect_error');
      expect(err.data?.code).toBe('BRIDGE_ERR_UNAUTHORIZED');
      anon.close();
      const viewer = io(bridge.url, { transports: ['websocket'], reconnection: false, auth: { token: 'cbt_viewer-token-for-tests-0000000000000000' } });
      await waitForEvent(viewer as never, 'snapshot');
      viewer.close();
    } finally {
      await bridge.close();
    }
  });
});
