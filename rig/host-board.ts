/**
 * A board (gasboard or palletunit) running as a host-target process (firmware/targets/host), or as its avr build
 * in the simavr harness (firmware/targets/avr-sim, `target: 'avr-sim'`), which behaves the same from outside: its three UARTs are kernel PTYs at
 * symlinks (the host link for the bridge; UART1 and UART2 for the sensor modules), its outputs and, with
 * `clock: 'plant'`, its clock are the plant link on stdin/stdout. This starts one, serves its sensor UARTs
 * with the simulator's module emulators (an O2 line stream and a Modbus-RTU CO2 module) over the native
 * serialport binding, and stops it again.
 *
 * Lifecycle: start() resolves once the process has published its PTYs and both module ports are open;
 * stop() closes the module ports, then ends the process (SIGTERM, SIGKILL after a grace period).
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Clock, TimerHandle } from '../bridge/index.js';
import {
  ModbusCo2Module,
  O2StreamModule,
  formatTimeLine,
  parseBoardPlantLine,
  type CellOutputs,
  type CellOutputs as PlantLinkOutputs,
  type SensorValues as PlantLinkSensors,
} from '../simulator/index.js';

export const GASBOARD_HOST_BINARY = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware', 'build', 'host', 'gasboard-host');
/** The palletunit on the same host target (same options but --cells and --flush-ms; O lines carry fan). */
/** The simavr harness (firmware/targets/avr-sim): runs an avr build with the same PTYs; give it `extraArgs:
 * ['--firmware', AVR_GASBOARD_ELF]`. */
export const AVR_SIM_BINARY = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware', 'build', 'avr-sim', 'avr-sim');
export const AVR_GASBOARD_ELF = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware', 'build', 'avr', 'gasboard.elf');
export const PALLETUNIT_HOST_BINARY = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware', 'build', 'host', 'palletunit-host');
/** The palletunit's avr build, for the simavr harness. */
export const AVR_PALLETUNIT_ELF = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware', 'build', 'avr', 'palletunit.elf');

/** What the modules of one cell measure: the plant's sensor values, plus the barometric pressure. */
export interface CellSensorValues extends PlantLinkSensors {
  /** Pa. Default 101325. */
  pressurePa?: number | null;
}

/** The timers a HostBoard uses: the clock contract's (bridge/clock.ts), without `now()`. */
export type HostBoardTimers = Pick<Clock, 'setTimeout' | 'clearTimeout'>;

/**
 * The process's own timers, kept referenced (a pending CO2 answer or SIGKILL keeps the process alive), unlike
 * the bridge's `systemClock`. The module UARTs are kernel PTYs, so their delays are wall time in every mode.
 */
const processTimers: HostBoardTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as ReturnType<typeof setTimeout>),
};

export interface HostBoardOptions {
  /** Where the board publishes its host-link PTY. */
  linkPath: string;
  serialNumber: string;
  /** Measuring period in board ms. Default 1000. */
  periodMs?: number;
  /** Sensor values older than this are sent as NA. Default 5000. */
  staleMs?: number;
  /**
   * What runs the board: 'host', the host build as a process (default); 'avr-sim', the avr build in the simavr
   * harness (firmware/targets/avr-sim), which takes the same options (serial number and periods go into its
   * EEPROM's provisioning record), the same plant link and the same EEPROM file.
   */
  target?: 'host' | 'avr-sim';
  /** Which board: 'gasboard' (default) or 'palletunit'. Picks the binary (host) or the ELF (avr-sim). */
  board?: 'gasboard' | 'palletunit';
  /** Overrides the binary `target` and `board` pick (the host build made by `cellbench setup`, or AVR_SIM_BINARY). */
  binaryPath?: string;
  /** The board's EEPROM file (boot counter, calibration; created if missing). Default: `linkPath` + ".eeprom",
   * so a board restarted on the same link keeps counting its boots. */
  eepromPath?: string;
  /** Cells on the board's sampling manifold, 1..8. Default 1. */
  cells?: number;
  /** Manifold flush time after a switch, board ms (with more than one cell). Default: the board's (60000). */
  flushMs?: number;
  /** 'mono': board time is the process's monotonic clock (default); 'plant': the times sent by setPlantTime(). */
  clock?: 'mono' | 'plant';
  /** Timers for the CO2 module's answer delays and the O2 stream (any `Clock`). Default: the process's own. */
  timers?: HostBoardTimers;
  /** Seed of the modules' garbage faults. Default 1. */
  seed?: number;
  /**
   * When set, the O2 module streams on its own every `o2StreamMs` of the given timers (as a real module streams
   * once a second), besides each feed(). Default: only on feed() (the plant driver's tick).
   */
  o2StreamMs?: number;
  /** More arguments for the binary (the simavr harness's `--firmware ELF`). */
  extraArgs?: string[];
}

export interface HostBoardEvents {
  /** Cell 1's actuators (the board's only cell, on a board without a manifold). */
  outputs: [outputs: PlantLinkOutputs];
  /** Every cell's actuators, cell 1 first. */
  cellOutputs: [cells: CellOutputs[]];
  /** The cell the manifold samples (0: none). */
  sample: [cell: number];
  /** A line on stderr (diagnostics). */
  log: [line: string];
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

async function openPort(path: string): Promise<SerialPortStream> {
  const port = new SerialPortStream({ binding: autoDetect(), path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new Error(`cannot open ${path}: ${err.message}`)) : resolve())));
  return port;
}

export class HostBoard extends EventEmitter<HostBoardEvents> {
  readonly linkPath: string;
  readonly serialNumber: string;
  readonly o2UartPath: string;
  readonly co2UartPath: string;
  /** The module emulators: set `.fault` to make a module misbehave. */
  readonly o2Module: O2StreamModule;
  readonly co2Module: ModbusCo2Module;
  private readonly child: ChildProcess;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly values = new Map<number, CellSensorValues>();
  private sampled = 1;
  private o2Port: SerialPortStream | undefined;
  private co2Port: SerialPortStream | undefined;
  private readonly timers: HostBoardTimers;
  private readonly replyTimers = new Set<TimerHandle>();
  private streamTimer: TimerHandle | undefined;
  private readonly o2StreamMs: number | undefined;

  private constructor(child: ChildProcess, options: HostBoardOptions) {
    super();
    this.child = child;
    this.linkPath = options.linkPath;
    this.serialNumber = options.serialNumber;
    this.o2UartPath = `${options.linkPath}.o2`;
    this.co2UartPath = `${options.linkPath}.co2`;
    this.timers = options.timers ?? processTimers;
    this.o2StreamMs = options.o2StreamMs;
    this.o2Module = new O2StreamModule({ seed: options.seed ?? 1 });
    this.co2Module = new ModbusCo2Module({ seed: (options.seed ?? 1) + 1 });
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.emit('exit', code, signal);
        resolve();
      });
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = parseBoardPlantLine(line);
      if (msg?.kind === 'outputs') {
        this.emit('cellOutputs', msg.cells);
        if (msg.cells[0]) this.emit('outputs', msg.cells[0]);
      } else if (msg?.kind === 'sample') {
        // 0 is the moment between closing one cell's valve and opening the next (break before make): the
        // modules keep seeing the gas they had until the next cell's arrives.
        if (msg.cell > 0) this.sampled = msg.cell;
        this.emit('sample', msg.cell);
      } else {
        this.emit('log', `stdout: ${line}`);
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.emit('log', line));
    // A board whose plant went away gets EPIPE on its stdin; that is the board's exit, not ours.
    child.stdin!.on('error', () => undefined);
  }

  /** Starts the process and opens its module ports; rejects if it exits first or a port cannot be opened. */
  static async start(options: HostBoardOptions): Promise<HostBoard> {
    const palletunit = options.board === 'palletunit';
    const avrSim = options.target === 'avr-sim';
    const binary = options.binaryPath ?? (avrSim ? AVR_SIM_BINARY : palletunit ? PALLETUNIT_HOST_BINARY : GASBOARD_HOST_BINARY);
    const elf = palletunit ? AVR_PALLETUNIT_ELF : AVR_GASBOARD_ELF;
    for (const file of avrSim ? [binary, elf] : [binary]) {
      if (!existsSync(file)) {
        throw new Error(`firmware build not found at ${file}; run \`cellbench setup\` (or make -C firmware ${avrSim ? 'avr-sim' : 'host'})`);
      }
    }
    const args = [
      ...(avrSim && options.binaryPath === undefined ? ['--firmware', elf] : []),
      '--link', options.linkPath,
      '--sn', options.serialNumber,
      '--period-ms', String(options.periodMs ?? 1000),
      '--stale-ms', String(options.staleMs ?? 5000),
      '--cells', String(options.cells ?? 1),
      '--clock', options.clock ?? 'mono',
      ...(options.flushMs !== undefined ? ['--flush-ms', String(options.flushMs)] : []),
      ...(options.eepromPath !== undefined ? ['--eeprom', options.eepromPath] : []),
      ...(options.extraArgs ?? []),
    ];
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const board = new HostBoard(child, options);
    await new Promise<void>((resolve, reject) => {
      const logs: string[] = [];
      const onLog = (line: string): void => {
        logs.push(line);
        // The board says where its PTY is once every symlink is in place (firmware/README.md).
        if (line.includes(`link=${options.linkPath}`)) done(null);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        done(new Error(`${binary} ${options.serialNumber} exited (${signal ?? `code ${code}`}) before publishing ${options.linkPath}: ${logs.join(' | ')}`));
      const onError = (err: Error): void => done(new Error(`${binary} could not be started: ${err.message}`));
      function done(err: Error | null): void {
        board.off('log', onLog);
        board.off('exit', onExit);
        child.off('error', onError);
        if (err) reject(err);
        else resolve();
      }
      board.on('log', onLog);
      board.on('exit', onExit);
      child.on('error', onError);
    });
    try {
      await board.openModules();
    } catch (err) {
      await board.stop();
      throw err;
    }
    return board;
  }

  private async openModules(): Promise<void> {
    this.o2Port = await openPort(this.o2UartPath);
    this.co2Port = await openPort(this.co2UartPath);
    this.o2Port.on('error', (err) => this.emit('log', `o2 module port: ${err.message}`));
    this.co2Port.on('error', (err) => this.emit('log', `co2 module port: ${err.message}`));
    this.o2Port.on('data', () => undefined); // the O2 module ignores what it is sent
    this.co2Port.on('data', (bytes: Buffer) => {
      for (const reply of this.co2Module.receive(bytes)) this.reply(reply.bytes, reply.delayMs);
    });
    if (this.o2StreamMs !== undefined) this.streamO2(this.o2StreamMs);
  }

  private streamO2(everyMs: number): void {
    this.streamTimer = this.timers.setTimeout(() => {
      this.feed();
      if (this.o2Port) this.streamO2(everyMs);
    }, everyMs);
  }

  private reply(bytes: Buffer, delayMs: number): void {
    if (delayMs <= 0) {
      this.co2Port?.write(bytes);
      return;
    }
    const t = this.timers.setTimeout(() => {
      this.replyTimers.delete(t);
      if (this.co2Port?.isOpen) this.co2Port.write(bytes);
    }, delayMs);
    this.replyTimers.add(t);
  }

  /** Sets what one cell's gas would show the modules (used while the manifold samples that cell). */
  setCellValues(cell: number, values: CellSensorValues): void {
    this.values.set(cell, values);
  }

  /**
   * One measurement by the modules: the O2 module sends its line, and the CO2 module answers its next polls
   * with these values. With a manifold the modules see the cell it samples; `feed(values)` is cell 1's.
   */
  feed(values?: CellSensorValues): void {
    if (values) this.setCellValues(1, values);
    if (this.exited) return;
    const v = this.values.get(this.sampled) ?? { o2Kpa: null, co2Kpa: null, tempC: null };
    const pressurePa = v.pressurePa === undefined ? 101325 : v.pressurePa;
    this.co2Module.setValues({ co2Kpa: v.co2Kpa, tempC: v.tempC, pressurePa });
    const line = this.o2Module.nextLine({ o2Kpa: v.o2Kpa, tempC: v.tempC, pressurePa });
    if (line.length > 0 && this.o2Port?.isOpen) this.o2Port.write(line);
  }

  /** With `clock: 'plant'`: the board's time becomes `plantMs`. */
  setPlantTime(plantMs: number): void {
    if (this.exited || !this.child.stdin!.writable) return;
    this.child.stdin!.write(formatTimeLine(plantMs));
  }

  /** The cell the board's manifold samples now, as its last M line said. */
  get sampledCell(): number {
    return this.sampled;
  }

  get running(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Kills the process (SIGKILL, as a power cut would), for tests of what survives one. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private async closeModules(): Promise<void> {
    if (this.streamTimer !== undefined) this.timers.clearTimeout(this.streamTimer);
    this.streamTimer = undefined;
    for (const t of this.replyTimers) this.timers.clearTimeout(t);
    this.replyTimers.clear();
    const ports = [this.o2Port, this.co2Port];
    this.o2Port = undefined;
    this.co2Port = undefined;
    await Promise.all(
      ports.map((p) => (p?.isOpen ? new Promise<void>((resolve) => p.close(() => resolve())) : Promise.resolve())),
    );
  }

  /**
   * Stops the board: closes the module ports, then SIGTERM (it removes its symlinks and exits), and SIGKILL if
   * it has not exited after `graceMs` of the given timer. Resolves when the process is gone.
   */
  async stop(graceMs = 2000, timers: HostBoardTimers = processTimers): Promise<void> {
    await this.closeModules();
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const killer = timers.setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    timers.clearTimeout(killer);
  }
}
