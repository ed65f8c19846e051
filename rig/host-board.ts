/**
 * A gasboard running as a host-target process (firmware/targets/host): its UART is a kernel PTY at a
 * symlink, its sensors and outputs are the plant link on stdin/stdout. This starts one, waits until its
 * PTY is published, and stops it again.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatSensorLine, parseOutputLine, type PlantLinkOutputs, type PlantLinkSensors } from '../simulator/index.js';

export const GASBOARD_HOST_BINARY = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware', 'build', 'host', 'gasboard-host');

export interface HostBoardOptions {
  /** Where the board publishes its PTY. */
  linkPath: string;
  serialNumber: string;
  /** Streaming period in board ms. Default 1000. */
  periodMs?: number;
  /** Sensor values older than this are sent as NA. Default 5000. */
  staleMs?: number;
  /** Default: the host build made by `cellbench setup`. */
  binaryPath?: string;
}

export interface HostBoardEvents {
  outputs: [outputs: PlantLinkOutputs];
  /** A line on stderr (diagnostics). */
  log: [line: string];
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

export class HostBoard extends EventEmitter<HostBoardEvents> {
  readonly linkPath: string;
  readonly serialNumber: string;
  private readonly child: ChildProcess;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(child: ChildProcess, options: HostBoardOptions) {
    super();
    this.child = child;
    this.linkPath = options.linkPath;
    this.serialNumber = options.serialNumber;
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.emit('exit', code, signal);
        resolve();
      });
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const outputs = parseOutputLine(line);
      if (outputs) this.emit('outputs', outputs);
      else this.emit('log', `stdout: ${line}`);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.emit('log', line));
    // A board whose plant went away gets EPIPE on its stdin; that is the board's exit, not ours.
    child.stdin!.on('error', () => undefined);
  }

  /** Starts the process; resolves once its PTY symlink exists, rejects if it exits first. */
  static async start(options: HostBoardOptions): Promise<HostBoard> {
    const binary = options.binaryPath ?? GASBOARD_HOST_BINARY;
    if (!existsSync(binary)) {
      throw new Error(`firmware host build not found at ${binary}; run \`cellbench setup\` (or make -C firmware host)`);
    }
    const args = [
      '--link', options.linkPath,
      '--sn', options.serialNumber,
      '--period-ms', String(options.periodMs ?? 1000),
      '--stale-ms', String(options.staleMs ?? 5000),
    ];
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const board = new HostBoard(child, options);
    await new Promise<void>((resolve, reject) => {
      const logs: string[] = [];
      const onLog = (line: string): void => {
        logs.push(line);
        // The board says where its PTY is once the symlink is in place (firmware/README.md).
        if (line.includes(`link=${options.linkPath}`)) done(null);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        done(new Error(`gasboard-host ${options.serialNumber} exited (${signal ?? `code ${code}`}) before publishing ${options.linkPath}: ${logs.join(' | ')}`));
      const onError = (err: Error): void => done(new Error(`gasboard-host could not be started: ${err.message}`));
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
    return board;
  }

  /** Sends the plant's sensor values to the board. */
  feed(sensors: PlantLinkSensors): void {
    if (this.exited || !this.child.stdin!.writable) return;
    this.child.stdin!.write(formatSensorLine(sensors));
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

  /**
   * Stops the board: SIGTERM (it removes its symlink and exits), and SIGKILL if it has not exited after
   * `graceMs` of the given timer. Resolves when the process is gone.
   */
  async stop(graceMs = 2000, timers: Pick<typeof globalThis, 'setTimeout' | 'clearTimeout'> = globalThis): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const killer = timers.setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    timers.clearTimeout(killer);
  }
}
