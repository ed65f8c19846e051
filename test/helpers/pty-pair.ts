/**
 * A pair of kernel PTYs joined by `socat`, published at two symlinks: the bridge opens one end, a test's
 * board the other. Killing socat pulls the cable (both ends hang up); `restart()` plugs a new pair in at
 * the same symlinks, as a USB adapter that comes back does.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { autoDetect } from '@serialport/bindings-cpp';
import type { FakeBoard } from './fake-board.js';

export class PtyPair {
  readonly hostPath: string;
  readonly boardPath: string;
  private child: ChildProcess | undefined;

  constructor(dir: string, name: string) {
    this.hostPath = join(dir, `${name}-host`);
    this.boardPath = join(dir, `${name}-board`);
  }

  /** Starts socat; resolves once it has both PTYs open and is moving bytes. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`socat for ${this.hostPath} is already running`);
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.boardPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stderr! });
      const log: string[] = [];
      lines.on('line', (line) => {
        log.push(line);
        if (line.includes('starting data transfer loop')) resolve();
      });
      child.once('error', (err) => reject(new Error(`cannot start socat (is it installed? \`cellbench setup\` installs it): ${err.message}`)));
      child.once('exit', (code) => reject(new Error(`socat exited with ${code} before it was ready:\n${log.join('\n')}`)));
    });
  }

  /** Pulls the cable: SIGKILL, as a yanked adapter gives no goodbye. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }
}

/**
 * Connects a FakeBoard to the board end of a PTY pair through the native binding. Resolves with a
 * function that disconnects it; the board also notices on its own when the pair goes away.
 */
export async function attachBoardToPty(board: FakeBoard, path: string): Promise<() => Promise<void>> {
  const port = new SerialPortStream({ binding: autoDetect(), path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const parser = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
  let attached = true;
  // A line that arrives after the board was taken off the port is not for it.
  parser.on('data', (line: string) => attached && board.onHostLine(line));
  const detach = (): void => {
    attached = false;
    board.attach(undefined);
  };
  port.on('close', detach);
  port.on('error', detach);
  board.attach((bytes) => {
    if (port.isOpen) port.write(bytes);
  });
  return async () => {
    detach();
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  };
}
