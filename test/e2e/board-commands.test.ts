/**
 * Every board command the firmware has, through the bridge, against the real C firmware (host builds on
 * kernel PTYs): a two-cell manifold gasboard's readings stored and served per cell, a per-cell SET, and a
 * palletunit's LOOP, fan and SETPT, each sent through REST and through a socket.io client and acknowledged
 * by the board, whose outputs are read back on its plant link. The firmware runs in real time; the test
 * waits for its frames and outputs as events, never for the clock.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ClientToServerEvents, type ReadingView, type ServerToClientEvents, type SocketCommand, type SocketCommandResult } from '../../bridge/index.js';
import { GASBOARD_HOST_BINARY, HostBoard, PALLETUNIT_HOST_BINARY } from '../../rig/index.js';
import type { CellOutputs } from '../../simulator/index.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until, waitForEvent } from '../helpers/wait.js';

const GB = 'GB-0301';
const PU = 'PU-0301';
const haveFirmware = existsSync(GASBOARD_HOST_BINARY) && existsSync(PALLETUNIT_HOST_BINARY);
if (!haveFirmware) console.warn('board-commands test skipped: no host builds (`cellbench setup` builds them)');

describe.skipIf(!haveFirmware)('board commands and manifold cells through the bridge on the real firmware', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-commands-'));
  let gasboard: HostBoard;
  let pallet: HostBoard;
  let app: FastifyInstance;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  const live: ReadingView[] = [];

  beforeAll(async () => {
    gasboard = await HostBoard.start({ linkPath: join(dir, GB), serialNumber: GB, periodMs: 100, cells: 2, flushMs: 100, o2StreamMs: 20 });
    gasboard.setCellValues(1, { o2Kpa: 20.9, co2Kpa: 0.04, tempC: 1.5 });
    gasboard.setCellValues(2, { o2Kpa: 1.2, co2Kpa: 2.5, tempC: 0.5 });
    pallet = await HostBoard.start({ binaryPath: PALLETUNIT_HOST_BINARY, linkPath: join(dir, PU), serialNumber: PU, periodMs: 100, o2StreamMs: 20 });
    pallet.setCellValues(1, { o2Kpa: 1.5, co2Kpa: 0.8, tempC: 1.0 });
    app = buildApp({ ports: [{ path: gasboard.linkPath }, { path: pallet.linkPath }], dbPath: join(dir, 'bench.sqlite'), clock: new ManualClock() });
    const opened = Promise.all([GB, PU].map((sn) => waitForEvent(app.devices, 'device', (d: { id: string; state: string }) => d.id === sn && d.state === 'open')));
    await app.listen({ host: '127.0.0.1', port: 0 });
    await opened;
    const { port } = app.server.address() as AddressInfo;
    socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
    socket.on('reading', (r) => live.push(r));
    await waitForEvent(socket as never, 'snapshot');
  });

  afterAll(async () => {
    socket?.close();
    await app?.close();
    await gasboard?.stop();
    await pallet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (sn: string, body: object) => app.inject({ method: 'POST', url: `/api/devices/${sn}/commands`, payload: body });
  const emit = (command: SocketCommand): Promise<SocketCommandResult> => new Promise((resolve) => socket.emit('command', command, resolve));

  it('stores and serves a two-cell manifold board\u2019s readings per cell', async () => {
    await until(() => live.some((r) => r.deviceId === GB && r.boardCell === 2 && r.o2Kpa !== null) && live.some((r) => r.deviceId === GB && r.boardCell === 1 && r.o2Kpa !== null), 'both cells live', 20_000_000);
    const one = live.find((r) => r.deviceId === GB && r.boardCell === 1 && r.o2Kpa !== null)!;
    const two = live.find((r) => r.deviceId === GB && r.boardCell === 2 && r.o2Kpa !== null)!;
    expect(one).toMatchObject({ cellId: GB, o2Kpa: 20.9 });
    expect(two).toMatchObject({ cellId: `${GB}.2`, o2Kpa: 1.2 });

    // Stored as the board sent them: each reading under the cell its RD named, with its values (the
    // manifold's own correctness, which gas each cell's reading holds, is the firmware's test).
    const stored = (await app.inject({ method: 'GET', url: `/api/devices/${GB}/readings` })).json().readings as ReadingView[];
    const liveBySeq = new Map(live.filter((r) => r.deviceId === GB).map((r) => [r.seq, r]));
    const both = stored.filter((r) => liveBySeq.has(r.seq));
    expect(both.length).toBeGreaterThan(1);
    for (const r of both) {
      const l = liveBySeq.get(r.seq)!;
      expect([r.cellId, r.boardCell, r.o2Kpa]).toEqual([l.cellId, l.boardCell, l.o2Kpa]);
      expect(r.cellId).toBe(r.boardCell === 2 ? `${GB}.2` : GB);
    }

    const cells = (await app.inject({ method: 'GET', url: '/api/cells' })).json().cells as Array<{ id: string; deviceIds: string[] }>;
    expect(cells).toEqual(expect.arrayContaining([{ id: GB, deviceIds: [GB] }, { id: `${GB}.2`, deviceIds: [GB] }]));
    const csv = (await app.inject({ method: 'GET', url: `/api/cells/${GB}.2/readings.csv` })).body.trim().split('\n').slice(1);
    const csvSeqs = csv.map((line) => {
      const f = line.split(',');
      expect([f[0], f.at(-1)]).toEqual([`${GB}.2`, '2']); // cell_id, board_cell
      return Number(f[3]);
    });
    const storedTwo = stored.filter((r) => r.boardCell === 2).map((r) => r.seq);
    expect(csvSeqs.length).toBeGreaterThan(0);
    expect(csvSeqs.filter((seq) => storedTwo.includes(seq))).toEqual(storedTwo);
    expect(app.devices.get(GB)!.cellIds).toEqual([GB, `${GB}.2`]);
  });

  it('sets one cell\u2019s actuator through REST and through socket.io', async () => {
    const n2 = waitForEvent<[CellOutputs[]]>(gasboard, 'cellOutputs', (c) => c[1]?.n2 === true);
    const res = await post(GB, { op: 'set_valve', valve: 'n2', on: true, cell: 2 });
    expect(res.statusCode).toBe(200);
    const [cells] = await n2;
    expect(cells[0]!.n2).toBe(false);

    const air = waitForEvent<[CellOutputs[]]>(gasboard, 'cellOutputs', (c) => c[1]?.air === true);
    expect(await emit({ deviceId: GB, op: 'set_valve', valve: 'air', on: true, cell: 2 })).toMatchObject({ ok: true, outcome: 'ack' });
    expect((await air)[0][0]!.air).toBe(false);

    // A cell the board does not have is the board's to refuse; an actuator it does not have, the bridge's.
    expect((await post(GB, { op: 'set_valve', valve: 'n2', on: true, cell: 3 })).json()).toMatchObject({ code: 'BRIDGE_ERR_COMMAND_NAK', details: { boardCode: 'E_ARG' } });
    expect((await post(GB, { op: 'set_valve', valve: 'fan', on: true })).json()).toMatchObject({ code: 'BRIDGE_ERR_NOT_CAPABLE' });
    expect((await post(GB, { op: 'loop', on: false })).json()).toMatchObject({ code: 'BRIDGE_ERR_NOT_CAPABLE' });
    expect(await emit({ deviceId: GB, op: 'set_valve', valve: 'n2', on: true, cell: 9 })).toMatchObject({ ok: false, code: 'BRIDGE_ERR_BAD_BODY' });
  });

  it('takes a palletunit off its loop, runs its fan, sets its setpoints, and gives it its loop back', async () => {
    // While the loop runs, SET is the board's to refuse (E_STATE).
    expect((await post(PU, { op: 'set_valve', valve: 'fan', on: true })).json()).toMatchObject({ code: 'BRIDGE_ERR_COMMAND_NAK', details: { boardCode: 'E_STATE' } });

    const off = waitForEvent<[CellOutputs[]]>(pallet, 'cellOutputs', (c) => c[0]?.fan === false && c[0]?.n2 === false && c[0]?.air === false);
    expect((await post(PU, { op: 'loop', on: false })).statusCode).toBe(200);
    await off;
    const fan = waitForEvent<[CellOutputs[]]>(pallet, 'cellOutputs', (c) => c[0]?.fan === true);
    expect(await emit({ deviceId: PU, op: 'set_valve', valve: 'fan', on: true })).toMatchObject({ ok: true });
    await fan;

    expect((await post(PU, { op: 'setpoint', o2Kpa: 2.5, co2Kpa: 1.2 })).statusCode).toBe(200);
    expect(await emit({ deviceId: PU, op: 'setpoint', o2Kpa: 1.0, co2Kpa: 1.5 })).toMatchObject({ ok: true });
    expect((await post(PU, { op: 'setpoint', o2Kpa: 2.555, co2Kpa: 1.2 })).json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'o2Kpa' });
    expect((await post(PU, { op: 'setpoint', o2Kpa: 0.1, co2Kpa: 1.2 })).json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'o2Kpa' });
    expect(await emit({ deviceId: PU, op: 'loop', on: true })).toMatchObject({ ok: true });

    const audit = (await app.inject({ method: 'GET', url: `/api/commands?device=${PU}` })).json().commands as Array<{ op: string; outcome: string; args: unknown }>;
    expect(audit.filter((c) => c.outcome === 'ack').map((c) => c.op).reverse()).toEqual(['loop', 'set_valve', 'setpoint', 'setpoint', 'loop']);
    expect(audit.find((c) => c.op === 'setpoint')!.args).toEqual({ o2Kpa: 1.0, co2Kpa: 1.5 });
  });
});
