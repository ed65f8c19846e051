/**
 * `npm run bench:bridge`: the bridge's ingest over kernel PTYs, not a test. Eight emulated boards (one
 * child process) write RD frames into eight socat PTY pairs; the bridge (another child process) reads the
 * other ends with SQLite persistence (WAL, a file in a temp folder); socket.io clients in this process
 * receive the readings. Three processes, so that neither the boards nor the clients eat the bridge's
 * core. Latency is from the moment a board wrote a line to the moment a socket.io client got that
 * reading, both stamped with `performance.timeOrigin + performance.now()` (one system clock). CPU % is
 * the bridge process's user+system time over wall time (100 = one core).
 *
 * Scenarios (each run RUNS times, the table shows medians):
 *   full rate   boards write as fast as the PTYs take it, 1 socket.io client on everything
 *   1k/s        8 × 125 frames/s, 1 client on everything
 *   1k/s + 50   the same plus 50 more clients, each in one device's room
 *
 * Usage: node --import tsx bench/bridge-bench.ts [--seconds 5] [--runs 3]
 */

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { autoDetect } from '@serialport/bindings-cpp';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { io, type Socket } from 'socket.io-client';
import { crc16Ccitt, decodeFrame, encodeFrame, field } from '../firmware/protocol/index.js';

const BOARDS = 8;

/** Absolute high-resolution time, comparable between processes on one machine. */
function nowAbsMs(): number {
  return performance.timeOrigin + performance.now();
}

// ---------------------------------------------------------------------------------------------------
// Child: the bridge.

async function bridgeChild(dbPath: string, paths: string[]): Promise<void> {
  const { startBridge } = await import('../bridge/index.js');
  const bridge = await startBridge({ port: 0, dbPath, ports: paths.map((path) => ({ path })), handshakeTimeoutMs: 500 });
  process.send!({ type: 'ready', url: bridge.url });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      process.send!({ type: 'stats', cpu: process.cpuUsage(), atMs: performance.now(), totals: bridge.app.devices.totals(), open: bridge.app.devices.list().filter((d) => d.state === 'open').length });
    } else if (m.type === 'stop') {
      void bridge.close().then(() => process.exit(0));
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Parent: PTYs, boards, clients.

interface Pty {
  child: ChildProcess;
  hostPath: string;
  boardPath: string;
}

async function startPty(dir: string, i: number): Promise<Pty> {
  const hostPath = join(dir, `gb${i}-host`);
  const boardPath = join(dir, `gb${i}-board`);
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${boardPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (l) => l.includes('starting data transfer loop') && resolve());
    child.once('exit', (code) => reject(new Error(`socat exited with ${code}; is socat installed?`)));
    child.once('error', reject);
  });
  return { child, hostPath, boardPath };
}

/** A board that answers the handshake and STATUS and writes readings on demand, timing each. */
class BenchBoard {
  readonly sn: string;
  private readonly port: SerialPortStream;
  private seq = 0;
  private boardMs = 1000;
  streaming = false;
  /** Write time (performance.now()) by seq, for the latency of each reading. */
  readonly sentAt = new Map<number, number>();
  private writable = true;

  constructor(sn: string, port: SerialPortStream) {
    this.sn = sn;
    this.port = port;
    port.on('drain', () => (this.writable = true));
    port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' })).on('data', (line: string) => this.onLine(line));
  }

  static async open(sn: string, path: string): Promise<BenchBoard> {
    // A small write buffer: a board that writes faster than the link takes it waits, as a UART does.
    const port = new SerialPortStream({ binding: autoDetect(), path, baudRate: 115200, autoOpen: false, highWaterMark: 16_384 });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new BenchBoard(sn, port);
  }

  private onLine(line: string): void {
    const d = decodeFrame(line);
    if (!d.ok) return;
    const id = field(d.frame, 'id') ?? '0';
    if (d.frame.type === 'HELLO') {
      this.port.write(encodeFrame({ type: 'ID', fields: [['id', id], ['kind', 'gasboard'], ['fw', '0.1.0'], ['sn', this.sn], ['proto', '1'], ['caps', 'o2,co2,temp'], ['t', String(this.boardMs)], ['boot', '1']] }));
      this.streaming = true;
    } else if (d.frame.type === 'STATUS') {
      this.port.write(encodeFrame({ type: 'ST', fields: [['id', id], ['up', String(this.boardMs)], ['boot', '1'], ['seq', String(this.seq)], ['ring', '0'], ['crc', '0'], ['syn', '0'], ['long', '0'], ['sto', '0'], ['wdt', '0'], ['drop', '0']] }));
    } else if (d.frame.type === 'REPLAY') {
      this.port.write(encodeFrame({ type: 'ACK', fields: [['id', id], ['n', '0']] }));
    }
  }

  /** Writes `n` readings in one chunk unless the port is backed up; returns how many were written. */
  write(n: number, record: boolean): number {
    if (!this.streaming || !this.writable || n <= 0) return 0;
    let chunk = '';
    const now = nowAbsMs();
    for (let i = 0; i < n; i++) {
      this.seq++;
      this.boardMs += 1;
      // The frame by hand (encodeFrame validates every field, which costs more than the bridge's work).
      const body = `RD seq=${this.seq} t=${this.boardMs} o2=20.90 co2=0.040 temp=1.50`;
      chunk += `${body}*${crc16Ccitt(body).toString(16).toUpperCase().padStart(4, '0')}\n`;
      if (record) this.sentAt.set(this.seq, now);
    }
    this.writable = this.port.write(Buffer.from(chunk, 'latin1'));
    return n;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

/** Child: the boards. Writes at the rate it is told, and hands over its write times when asked. */
async function boardsChild(paths: string[]): Promise<void> {
  const boards: BenchBoard[] = [];
  for (let i = 0; i < paths.length; i++) boards.push(await BenchBoard.open(`GB-${String(i + 1).padStart(4, '0')}`, paths[i]!));
  let rate: number | 'full' | 0 = 0;
  let record = false;
  let startMs = 0;
  let written = boards.map(() => 0);
  const tick = (): void => {
    if (rate !== 0) {
      const elapsedS = (performance.now() - startMs) / 1000;
      boards.forEach((b, i) => {
        const due = rate === 'full' ? 64 : Math.floor(elapsedS * (rate as number)) - written[i]!;
        written[i]! += b.write(Math.min(due, 256), record);
      });
    }
    if (rate === 'full') setImmediate(tick);
    else setTimeout(tick, 1);
  };
  tick();
  process.on('message', (m: { type: string; rate?: number | 'full' | 0; record?: boolean }) => {
    if (m.type === 'rate') {
      rate = m.rate ?? 0;
      startMs = performance.now();
      written = boards.map(() => 0);
    } else if (m.type === 'record') {
      record = m.record ?? false;
    } else if (m.type === 'sent') {
      // Write times of every recorded reading: [sn, seq, atMs] triples, then forgotten.
      const out: Array<[string, number, number]> = [];
      for (const b of boards) {
        for (const [seq, at] of b.sentAt) out.push([b.sn, seq, at]);
        b.sentAt.clear();
      }
      process.send!({ type: 'sent', sent: out });
    } else if (m.type === 'cpu') {
      process.send!({ type: 'cpu', cpu: process.cpuUsage() });
    } else if (m.type === 'open') {
      process.send!({ type: 'open', streaming: boards.filter((b) => b.streaming).length });
    } else if (m.type === 'stop') {
      void Promise.all(boards.map((b) => b.close())).then(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready' });
}

function request<T>(child: ChildProcess, message: { type: string }, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }): void => {
      if (m.type !== answer) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    child.send(message);
  });
}

interface Stats {
  cpu: NodeJS.CpuUsage;
  atMs: number;
  totals: { frames: number; stored: number; rejected: number };
  open: number;
}

function ask(child: ChildProcess): Promise<Stats> {
  return new Promise((resolve) => {
    const on = (m: { type: string } & Stats): void => {
      if (m.type !== 'stats') return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send({ type: 'stats' });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Result {
  framesPerS: number;
  /** Frames stored per second of the bridge's CPU time: its rate on one core fully its own. */
  framesPerCpuS: number;
  cpuPct: number;
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

type Client = Socket;

async function connect(url: string, devices?: string[]): Promise<Client> {
  const s = io(url, { transports: ['websocket'], reconnection: false });
  await once(s as never, 'snapshot');
  if (devices) await s.emitWithAck('subscribe', { devices });
  return s;
}

async function scenario(
  name: string,
  url: string,
  bridge: ChildProcess,
  boardsProc: ChildProcess,
  sns: string[],
  opts: { ratePerBoard: number | 'full'; extraClients: number; seconds: number },
): Promise<Result> {
  const received = new Map<string, number>();
  const main = await connect(url);
  let measuring = false;
  main.on('reading', (r: { deviceId: string; seq: number }) => {
    if (measuring) received.set(`${r.deviceId}:${r.seq}`, nowAbsMs());
  });
  const extras: Client[] = [];
  let extraEvents = 0;
  for (let i = 0; i < opts.extraClients; i++) {
    const c = await connect(url, [sns[i % sns.length]!]);
    c.on('reading', () => extraEvents++);
    extras.push(c);
  }

  boardsProc.send({ type: 'rate', rate: opts.ratePerBoard });
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  await request(boardsProc, { type: 'sent' }, 'sent'); // forget warm-up times
  boardsProc.send({ type: 'record', record: true });
  const mainCpu0 = process.cpuUsage();
  const boardsCpu0 = await request<{ cpu: NodeJS.CpuUsage }>(boardsProc, { type: 'cpu' }, 'cpu');
  const before = await ask(bridge);
  measuring = true;
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  boardsProc.send({ type: 'record', record: false });
  const after = await ask(bridge);
  const mainCpu = process.cpuUsage(mainCpu0);
  const boardsCpu1 = await request<{ cpu: NodeJS.CpuUsage }>(boardsProc, { type: 'cpu' }, 'cpu');
  boardsProc.send({ type: 'rate', rate: 0 });
  // Let what is in the pipes arrive (the bridge's stored count stops moving), then stop measuring.
  let last = -1;
  for (let s = await ask(bridge); s.totals.stored !== last; s = await ask(bridge)) {
    last = s.totals.stored;
    await new Promise((r) => setTimeout(r, 200));
  }
  measuring = false;
  const { sent } = await request<{ sent: Array<[string, number, number]> }>(boardsProc, { type: 'sent' }, 'sent');
  main.close();
  extras.forEach((c) => c.close());

  const latencies: number[] = [];
  let lost = 0;
  for (const [sn, seq, at] of sent) {
    const got = received.get(`${sn}:${seq}`);
    if (got === undefined) lost++;
    else latencies.push(got - at);
  }
  const wallMs = after.atMs - before.atMs;
  const cpuUs = after.cpu.user - before.cpu.user + (after.cpu.system - before.cpu.system);
  latencies.sort((a, b) => a - b);
  const r: Result = {
    framesPerS: ((after.totals.stored - before.totals.stored) / wallMs) * 1000,
    framesPerCpuS: (after.totals.stored - before.totals.stored) / (cpuUs / 1e6),
    cpuPct: (cpuUs / 1000 / wallMs) * 100,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    samples: latencies.length,
  };
  console.error(
    `  ${name}: ${r.framesPerS.toFixed(0)} frames/s, CPU ${r.cpuPct.toFixed(0)} %, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms ` +
      `(clients' process CPU ${(((mainCpu.user + mainCpu.system) / 1000 / wallMs) * 100).toFixed(0)} %, boards' ${(((boardsCpu1.cpu.user - boardsCpu0.cpu.user + boardsCpu1.cpu.system - boardsCpu0.cpu.system) / 1000 / wallMs) * 100).toFixed(0)} %; ` +
      `${r.samples} samples, ${lost} not seen by the client${opts.extraClients ? `, ${extraEvents} events to the ${opts.extraClients} room clients` : ''}), rejected ${after.totals.rejected}`,
  );
  return r;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, runs: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-bench-'));
  const ptys: Pty[] = [];
  let boardsProc: ChildProcess | undefined;
  let bridge: ChildProcess | undefined;
  try {
    for (let i = 0; i < BOARDS; i++) ptys.push(await startPty(dir, i));
    const sns = Array.from({ length: BOARDS }, (_, i) => `GB-${String(i + 1).padStart(4, '0')}`);
    boardsProc = fork(fileURLToPath(import.meta.url), ['--child-boards', ...ptys.map((p) => p.boardPath)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await once(boardsProc, 'message');
    bridge = fork(fileURLToPath(import.meta.url), ['--child-bridge', join(dir, 'bench.sqlite'), ...ptys.map((p) => p.hostPath)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [ready] = (await once(bridge, 'message')) as [{ url: string }];
    const url = ready.url;
    while ((await ask(bridge)).open < BOARDS) await new Promise((r) => setTimeout(r, 50));
    while ((await request<{ streaming: number }>(boardsProc, { type: 'open' }, 'open')).streaming < BOARDS) await new Promise((r) => setTimeout(r, 50));
    console.error(`bridge on ${url}, ${BOARDS} boards open; ${runs} runs of ${seconds} s per scenario`);

    const scenarios: Array<[string, { ratePerBoard: number | 'full'; extraClients: number }, string]> = [
      ['full rate, 8 boards', { ratePerBoard: 'full', extraClients: 0 }, '≥ 20,000 frames/s'],
      ['1,000 frames/s', { ratePerBoard: 125, extraClients: 0 }, 'p99 < 10 ms'],
      ['1,000 frames/s + 50 room clients', { ratePerBoard: 125, extraClients: 50 }, 'p99 < 20 ms'],
    ];
    const rows: string[] = [];
    for (const [name, opts, target] of scenarios) {
      const results: Result[] = [];
      for (let i = 0; i < runs; i++) results.push(await scenario(name, url, bridge, boardsProc, sns, { ...opts, seconds }));
      rows.push(
        `| ${name} | ${median(results.map((r) => r.framesPerS)).toFixed(0)} | ${median(results.map((r) => r.cpuPct)).toFixed(0)} | ${median(results.map((r) => r.framesPerCpuS)).toFixed(0)} | ${median(results.map((r) => r.p50Ms)).toFixed(2)} | ${median(results.map((r) => r.p99Ms)).toFixed(2)} | ${target} |`,
      );
    }
    console.log(`\nbridge ingest over ${BOARDS} PTYs, SQLite (WAL) persistence; medians of ${runs} runs of ${seconds} s\n`);
    console.log(`(this machine: ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the end; boards, socat, bridge and clients share them)\n`);
    console.log('| scenario | frames/s stored | bridge CPU % (one core = 100) | frames per bridge CPU-second | p50 ms line → socket.io | p99 ms | target |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    if (bridge && bridge.exitCode === null) {
      bridge.send({ type: 'stop' });
      await Promise.race([once(bridge, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
      if (bridge.exitCode === null) bridge.kill('SIGKILL');
    }
    if (boardsProc && boardsProc.exitCode === null) {
      boardsProc.send({ type: 'stop' });
      await Promise.race([once(boardsProc, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
      if (boardsProc.exitCode === null) boardsProc.kill('SIGKILL');
    }
    for (const p of ptys) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child-bridge') {
  void bridgeChild(process.argv[3]!, process.argv.slice(4));
} else if (process.argv[2] === '--child-boards') {
  void boardsChild(process.argv.slice(3));
} else {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(`bench:bridge failed: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
}
