/**
 * The rig I/O board through johnny-five and firmata-io on our serialport stream, against the Firmata
 * emulator: a relay toggled on the emulated board and read back on an input, the door switch, a power
 * cycle on the clock.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { RigIoBoard } from '../../bridge/rig-io/rig-io-board.js';
import { FirmataEmulator } from '../../rig/index.js';
import { byteDeviceBinding } from '../helpers/byte-device-binding.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { waitForEvent } from '../helpers/wait.js';

const PATH = '/dev/fake-rig-io';

describe('rig I/O board: johnny-five over firmata-io on the Firmata emulator', () => {
  let rig: RigIoBoard | undefined;

  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  async function open(emulator: FirmataEmulator, clock = new ManualClock()): Promise<RigIoBoard> {
    rig = await RigIoBoard.open({
      path: PATH,
      binding: byteDeviceBinding({ [PATH]: emulator }),
      clock,
      relays: { 'valve.n2': 2, door: 3, 'power.GB-0001': 4 },
      inputs: { 'readback.n2': 6, 'door.switch': 7 },
    });
    return rig;
  }

  it('toggles a relay on the emulated board and reads it back on an input', async () => {
    const emulator = new FirmataEmulator({ wiring: { 2: 6 } });
    const r = await open(emulator);
    const closed = waitForEvent(emulator, 'output', (pin: number, v: number) => pin === 2 && v === 1);
    const readBack = waitForEvent(r, 'input', (name: string, v: boolean) => name === 'readback.n2' && v);
    r.setRelay('valve.n2', true);
    await closed;
    await readBack;
    expect(emulator.pin(2)).toBe(1);
    expect(r.input('readback.n2')).toBe(true);
    expect(r.relayClosed('valve.n2')).toBe(true);

    const opened = waitForEvent(r, 'input', (name: string, v: boolean) => name === 'readback.n2' && !v);
    r.setRelay('valve.n2', false);
    await opened;
    expect(emulator.pin(2)).toBe(0);
    expect(r.state()).toMatchObject({ relays: { 'valve.n2': false }, inputs: { 'readback.n2': false } });
    expect(emulator.garbageBytes).toBe(0);
  });

  it('reports the door switch as the emulated board sees it', async () => {
    const emulator = new FirmataEmulator();
    const r = await open(emulator);
    const door = waitForEvent(r, 'input', (name: string, v: boolean) => name === 'door.switch' && v);
    emulator.setInput(7, true);
    await door;
    expect(r.input('door.switch')).toBe(true);
  });

  it('power-cycles a board under test: relay open for offMs on the clock, then closed', async () => {
    const emulator = new FirmataEmulator();
    const clock = new ManualClock();
    const r = await open(emulator, clock);
    r.setRelay('power.GB-0001', true);
    await waitForEvent(emulator, 'output', (pin: number, v: number) => pin === 4 && v === 1);
    const cycle = r.powerCycle('power.GB-0001', 3000);
    await waitForEvent(emulator, 'output', (pin: number, v: number) => pin === 4 && v === 0);
    clock.advance(3000);
    await cycle;
    await waitForEvent(emulator, 'output', (pin: number, v: number) => pin === 4 && v === 1);
    expect(() => r.setRelay('nope', true)).toThrow(/no rig relay "nope"/);
  });
});

describe('rig I/O board in the bridge app', () => {
  it('feeds the door switch to the safety alarm and works relays through the API', async () => {
    const { buildApp } = await import('../../bridge/index.js');
    const { FakeBoard, fakeBoardBinding } = await import('../helpers/fake-board.js');
    const { until } = await import('../helpers/wait.js');
    const board = new FakeBoard('/dev/fake-gb-01', { serialNumber: 'GB-0001' });
    const emulator = new FirmataEmulator({ wiring: { 2: 6 } });
    const binding = fakeBoardBinding([board]);
    const rigBinding = byteDeviceBinding({ [PATH]: emulator }, { reset: false });
    const app = buildApp({
      ports: [{ path: '/dev/fake-gb-01' }],
      binding,
      dbPath: ':memory:',
      clock: new ManualClock(),
      cells: [{ id: 'cell-1', deviceId: 'GB-0001' }],
      rigIo: { path: PATH, binding: rigBinding, relays: { 'valve.n2': 2 }, inputs: { 'readback.n2': 6, 'door.switch': 7 }, doors: { 'door.switch': 'cell-1' } },
    });
    try {
      await app.ready();
      await until(() => app.devices.get('GB-0001')?.state === 'open' && app.devices.queued('GB-0001') === 0, 'board open');
      board.sendReading({ o2: '15.00' });
      await until(() => app.store.readings.count('GB-0001') === 1, 'stored');
      emulator.setInput(7, true); // someone opens the door of a low-O2 cell
      await until(() => app.alarms.list().some((a) => a.kind === 'door_open_low_o2'), 'safety alarm');

      const res = await app.inject({ method: 'PUT', url: '/api/rig/relays/valve.n2', payload: { closed: true } });
      expect(res.statusCode).toBe(200);
      await until(() => app.rigIo!.input('readback.n2') === true, 'read back');
      expect((await app.inject({ method: 'GET', url: '/api/rig' })).json()).toEqual({
        relays: { 'valve.n2': true },
        inputs: { 'readback.n2': true, 'door.switch': true },
      });
      expect((await app.inject({ method: 'PUT', url: '/api/rig/relays/nope', payload: { closed: true } })).json().code).toBe('BRIDGE_ERR_NOT_FOUND');
    } finally {
      await app.close();
    }
  });
});
