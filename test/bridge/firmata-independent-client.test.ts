/**
 * The Firmata emulator (rig/firmata-emulator.ts) against a client that shares no code with johnny-five or
 * firmata-io: test/helpers/firmata_client.py, a raw client written from the protocol (firmata/protocol,
 * protocol.md) on Python's standard library, over a kernel PTY pair (socat). It checks what johnny-five
 * happens not to look at: the pin-state response (an input's state is its pull-up, an output's its value),
 * SYSTEM_RESET, and that the analog channels advertised are channels that report.
 *
 * Needs socat and Debian's python3 (`cellbench setup` installs both). Where one is missing the suite is skipped
 * with the reason, except when CI is set: there setup has run, so a missing tool fails it.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIRMATA_MODES, FirmataEmulator, attachFirmataEmulatorToPort } from '../../rig/index.js';
import { PtyPair } from '../helpers/pty-pair.js';
import { missingTools } from '../helpers/required-tools.js';

const PYTHON = '/usr/bin/python3';
const CLIENT = fileURLToPath(new URL('../helpers/firmata_client.py', import.meta.url));
/** Longest wait for one message from the client; the device answers in microseconds. */
const MESSAGE_TIMEOUT_MS = 5000;

const missing = missingTools('Firmata emulator against a raw Python Firmata client over a PTY', [
  ['socat', () => spawnSync('socat', ['-V']).status === 0],
  [`python3 (${PYTHON})`, () => spawnSync(PYTHON, ['-c', 'import termios, selectors']).status === 0],
]);

type Message = { type: string } & Record<string, unknown>;

/** The Python client as a process: commands in, decoded messages out, each wait bounded. */
class FirmataClient extends EventEmitter<{ message: [Message] }> {
  readonly received: Message[] = [];
  private readonly child: ChildProcess;
  private exited: string | undefined;

  constructor(path: string) {
    super();
    this.child = spawn(PYTHON, [CLIENT, path], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    this.child.on('exit', (code, signal) => {
      this.exited = `firmata_client.py exited (${signal ?? `code ${code}`}): ${stderr}`;
      this.emit('message', { type: 'exit' });
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Message;
      this.received.push(msg);
      this.emit('message', msg);
    });
  }

  /** Resolves with the first message from now on (or already received after `from`) that `match` accepts. */
  next(what: string, match: (m: Message) => boolean, from = this.received.length): Promise<Message> {
    const seen = this.received.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no ${what} from the device within ${MESSAGE_TIMEOUT_MS} ms; received: ${JSON.stringify(this.received.slice(from))}`)), MESSAGE_TIMEOUT_MS);
      const onMessage = (m: Message): void => {
        if (this.exited) done(new Error(`waiting for ${what}: ${this.exited}`));
        else if (match(m)) done(null, m);
      };
      const done = (err: Error | null, m?: Message): void => {
        clearTimeout(timer);
        this.off('message', onMessage);
        if (err) reject(err);
        else resolve(m!);
      };
      this.on('message', onMessage);
      if (this.exited) done(new Error(`waiting for ${what}: ${this.exited}`));
    });
  }

  /** Sends a command (firmata_client.py's syntax); resolves once the client has written its bytes. */
  async send(command: string): Promise<void> {
    const from = this.received.length;
    this.child.stdin!.write(`${command}\n`);
    await this.next(`"sent" for ${command}`, (m) => m.type === 'sent' && m.command === command, from);
  }

  /** Sends a command and resolves with the first message of `type` after it. */
  async ask(command: string, type: string, match: (m: Message) => boolean = () => true): Promise<Message> {
    const from = this.received.length;
    await this.send(command);
    return this.next(`${type} after ${command}`, (m) => m.type === type && match(m), from);
  }

  /** The pin state response for `pin`, and every message that came between the query and it. */
  async pinState(pin: number): Promise<{ mode: number; state: number; before: Message[] }> {
    const from = this.received.length;
    const res = await this.ask(`pin_state ${pin}`, 'pin_state', (m) => m.pin === pin);
    const before = this.received.slice(from, this.received.indexOf(res)).filter((m) => m.type !== 'sent');
    return { mode: res.mode as number, state: res.state as number, before };
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}

describe.skipIf(missing !== undefined)('Firmata emulator against a raw Python Firmata client over a PTY', () => {
  let dir: string;
  let pty: PtyPair;
  let port: SerialPortStream;
  let emulator: FirmataEmulator;
  let detach: () => void;
  let client: FirmataClient;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-firmata-'));
    pty = new PtyPair(dir, 'rig');
    await pty.start();
    port = new SerialPortStream({ binding: autoDetect(), path: pty.boardPath, baudRate: 57600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    emulator = new FirmataEmulator({ wiring: { 2: 6 } });
    detach = attachFirmataEmulatorToPort(emulator, port);
    client = new FirmataClient(pty.hostPath);
    await client.next('"open" from the client', (m) => m.type === 'open');
  });

  afterEach(async () => {
    await client.close();
    detach();
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await pty.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the version and firmware queries', async () => {
    expect(await client.ask('version', 'version')).toMatchObject({ major: 2, minor: 5 });
    expect(await client.ask('firmware', 'firmware')).toMatchObject({ major: 2, minor: 5, name: 'cellbench-rig-io' });
    expect(client.received.filter((m) => m.type === 'unexpected' || 'error' in m)).toEqual([]);
    expect(emulator.garbageBytes).toBe(0);
  });

  it('advertises only the modes it serves, and an analog channel only where it reports one', async () => {
    const caps = (await client.ask('capabilities', 'capabilities')).pins as number[][][];
    const mapping = (await client.ask('analog_mapping', 'analog_mapping')).channels as number[];
    expect(caps).toHaveLength(emulator.pinCount);
    expect(mapping).toHaveLength(emulator.pinCount);
    for (const [pin, modes] of caps.entries()) {
      // A pin is an analog input in the capability response exactly when the mapping gives it a channel.
      expect(modes.some(([m]) => m === FIRMATA_MODES.ANALOG), `pin ${pin}`).toBe(mapping[pin] !== 0x7f);
    }
    // Every advertised channel reports: Firmata 2.4 reports an analog pin's value when its reporting is enabled.
    for (const [pin, channel] of mapping.entries()) {
      if (channel === 0x7f) continue;
      await client.send(`pin_mode ${pin} ${FIRMATA_MODES.ANALOG}`);
      await client.send(`report_analog ${channel} 1`);
      const { before } = await client.pinState(pin);
      expect(before, `ANALOG_MESSAGE for channel ${channel} (pin ${pin}) after REPORT_ANALOG`).toContainEqual(expect.objectContaining({ type: 'analog', channel }));
    }
    // This emulator simulates no analog inputs, so it has none to advertise.
    expect(mapping.every((ch) => ch === 0x7f)).toBe(true);
    for (const modes of caps) expect(modes).toEqual([[FIRMATA_MODES.INPUT, 1], [FIRMATA_MODES.OUTPUT, 1], [FIRMATA_MODES.PULLUP, 1]]);
    // A mode the pin does not have is refused: the pin keeps the one it had.
    await client.send(`pin_mode 14 ${FIRMATA_MODES.ANALOG}`);
    expect(await client.pinState(14)).toMatchObject({ mode: FIRMATA_MODES.INPUT, state: 0 });
  });

  it('reports an input pin\'s pull-up as its state (0 for INPUT, 1 for PULLUP), whatever its level', async () => {
    await client.send(`pin_mode 7 ${FIRMATA_MODES.INPUT}`);
    emulator.setInput(7, true); // driven high from outside: its value is 1, its state stays 0
    expect(await client.pinState(7)).toMatchObject({ mode: FIRMATA_MODES.INPUT, state: 0 });
    await client.send(`pin_mode 8 ${FIRMATA_MODES.PULLUP}`);
    expect(await client.pinState(8)).toMatchObject({ mode: FIRMATA_MODES.PULLUP, state: 1 });
    emulator.setInput(8, false); // pulled low by a switch: the pull-up is still on
    expect(await client.pinState(8)).toMatchObject({ mode: FIRMATA_MODES.PULLUP, state: 1 });
    await client.send(`pin_mode 8 ${FIRMATA_MODES.INPUT}`);
    expect(await client.pinState(8)).toMatchObject({ mode: FIRMATA_MODES.INPUT, state: 0 });
  });

  it('reports an output pin\'s written value as its state, and its wire as an input\'s level', async () => {
    await client.send(`pin_mode 2 ${FIRMATA_MODES.OUTPUT}`);
    expect(await client.pinState(2)).toMatchObject({ mode: FIRMATA_MODES.OUTPUT, state: 0 });
    await client.send('digital_write 2 1');
    expect(await client.pinState(2)).toMatchObject({ mode: FIRMATA_MODES.OUTPUT, state: 1 });
    expect(emulator.pin(2)).toBe(1);
    // Port 0 written as a whole (DIGITAL_MESSAGE): pin 2 low again.
    await client.send('digital_port 0 0');
    expect(await client.pinState(2)).toMatchObject({ mode: FIRMATA_MODES.OUTPUT, state: 0 });

    // Reporting port 0 reports it at once (Firmata 2.4), then on every change: pin 6 is wired to pin 2.
    expect(await client.ask('report_digital 0 1', 'digital', (m) => m.port === 0)).toMatchObject({ mask: 0 });
    const from = client.received.length;
    await client.send('digital_write 2 1');
    expect(await client.next('port 0 with pin 6 high', (m) => m.type === 'digital' && m.port === 0, from)).toMatchObject({ mask: 1 << 6 });
  });

  it('SYSTEM_RESET puts every pin back to its power-up mode and value and stops reporting', async () => {
    const outputs: Array<[number, number]> = [];
    emulator.on('output', (pin, value) => outputs.push([pin, value]));
    await client.send(`pin_mode 2 ${FIRMATA_MODES.OUTPUT}`);
    await client.send('digital_write 2 1');
    await client.send(`pin_mode 5 ${FIRMATA_MODES.PULLUP}`);
    await client.ask('report_digital 0 1', 'digital', (m) => m.port === 0);
    expect(await client.pinState(2)).toMatchObject({ mode: FIRMATA_MODES.OUTPUT, state: 1 });

    await client.send('reset');
    expect(await client.pinState(2)).toMatchObject({ mode: FIRMATA_MODES.INPUT, state: 0 });
    expect(await client.pinState(5)).toMatchObject({ mode: FIRMATA_MODES.INPUT, state: 0 });
    expect(emulator.mode(2)).toBe(FIRMATA_MODES.INPUT);
    expect(emulator.pin(2)).toBe(0);
    expect(outputs).toEqual([[2, 1], [2, 0]]); // the relay dropped out

    // Reporting is off: a change on port 0 sends nothing before the next answer.
    emulator.setInput(7, true);
    expect((await client.pinState(7)).before).toEqual([]);
    expect(client.received.filter((m) => m.type === 'unexpected' || 'error' in m)).toEqual([]);
  });
});
