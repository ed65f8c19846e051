/**
 * Fuzz: 100,000 random and mutated frames into the gasboard host build's host link (a kernel PTY), then the
 * board must still answer the handshake, and its STATUS counters must add up: every line it received is
 * counted exactly once as a frame or as one rejection (ok + crc + syn + long = lines sent). Seeded, so a
 * failure can be replayed.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc16Ccitt, field } from '../../firmware/protocol/index.js';
import { HostBoard } from '../../rig/index.js';
import { BoardClient, num } from './helpers/board-client.js';

const LINES = 100_000;
const SEED = 20261121;

/** xorshift32, seeded. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const TYPES = ['HELLO', 'SET', 'REPLAY', 'STATUS', 'CAL', 'PING', 'ACK', 'NAK', 'RD', 'ID', 'ERR', 'ST', 'XX', 'SETX'];
const KEYS = ['id', 'proto', 'valve', 'on', 'cell', 'from', 'to', 'gas', 'point', 'ref', 'seq', 't', 'code', 'x_1'];
const VALUES = ['1', '0', '2', '4294967295', '4294967296', 'n2', 'air', 'scrub', 'o2', 'co2', 'zero', 'span', 'factory', '20.95', 'NA', '-1', '01', 'abc'];

function sealed(body: string): string {
  return `${body}*${crc16Ccitt(body).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** One line without its '\n' (and never containing one). */
function fuzzLine(r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const frame = (): string => {
    const n = Math.floor(r() * 6);
    const keys = new Set<string>();
    let body = pick(TYPES);
    for (let i = 0; i < n; i++) {
      const k = pick(KEYS);
      if (keys.has(k) && r() < 0.8) continue;
      keys.add(k);
      body += ` ${k}=${pick(VALUES)}`;
    }
    // Never a HELLO that would restart the session mid-run on purpose; it may still appear by mutation.
    return sealed(body.startsWith('HELLO') ? `X${body}` : body);
  };
  const kind = r();
  if (kind < 0.3) return frame();
  if (kind < 0.7) {
    // A valid frame, mutated: a byte changed, inserted or removed, or the tail cut.
    const bytes = [...Buffer.from(frame(), 'latin1')];
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(r() * bytes.length);
      const op = r();
      let b = Math.floor(r() * 256);
      if (b === 0x0a) b = 0x0b;
      if (op < 0.4) bytes[at] = b;
      else if (op < 0.7) bytes.splice(at, 0, b);
      else if (op < 0.9) bytes.splice(at, 1);
      else bytes.length = at;
    }
    return Buffer.from(bytes).toString('latin1');
  }
  if (kind < 0.85) {
    let s = '';
    const n = Math.floor(r() * 80);
    for (let i = 0; i < n; i++) s += String.fromCharCode(0x20 + Math.floor(r() * 95));
    return s;
  }
  if (kind < 0.95) {
    const n = Math.floor(r() * 100);
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      const b = Math.floor(r() * 256);
      bytes[i] = b === 0x0a ? 0x00 : b;
    }
    return bytes.toString('latin1');
  }
  return 'Z'.repeat(161 + Math.floor(r() * 400)); // over-long
}

describe('fuzz: 100,000 random and mutated frames into the host build', () => {
  let dir: string;
  let board: HostBoard;
  let client: BoardClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-fuzz-'));
    board = await HostBoard.start({ linkPath: join(dir, 'gb'), serialNumber: 'GB-FUZZ', periodMs: 1000 });
    // Command ids far from any the fuzz lines carry, so an answer to a fuzz line is never taken for ours.
    client = await BoardClient.open(board.linkPath, autoDetect(), 3_000_000_000);
  });

  afterAll(async () => {
    await client?.close();
    await board?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('still answers the handshake, and its counters add up', async () => {
    const r = rng(SEED);
    let lines = 0;
    expect((await client.command('HELLO', [['proto', '1']])).type).toBe('ID');
    lines++;
    const chunk: string[] = [];
    for (let i = 0; i < LINES; i++) {
      chunk.push(fuzzLine(r));
      if (chunk.length === 2000 || i === LINES - 1) {
        // Each write waits for the PTY to take it (backpressure), so nothing is lost on our side.
        const data = Buffer.from(`${chunk.join('\n')}\n`, 'latin1');
        lines += chunk.length;
        chunk.length = 0;
        await new Promise<void>((resolve, reject) => client.port.write(data, (err) => (err ? reject(err) : resolve())));
      }
    }
    // A line end of our own first: if the last fuzz line left the board mid-line, it ends here (and counts).
    client.write('\n');
    lines++;
    const id = await client.command('HELLO', [['proto', '1']]);
    lines++;
    expect(id.type).toBe('ID');
    expect(field(id, 'sn')).toBe('GB-FUZZ');
    const st = await client.command('STATUS');
    lines++;
    expect(st.type).toBe('ST');
    const counted = num(st, 'ok') + num(st, 'crc') + num(st, 'syn') + num(st, 'long');
    console.log(
      `fuzz: ${lines} lines sent; board counted ok=${num(st, 'ok')} crc=${num(st, 'crc')} syn=${num(st, 'syn')} ` +
        `long=${num(st, 'long')} drop=${num(st, 'drop')} tx=${num(st, 'tx')}`,
    );
    expect(counted).toBe(lines);
    expect(num(st, 'crc')).toBeGreaterThan(10_000);
    expect(num(st, 'syn')).toBeGreaterThan(10_000);
    expect(num(st, 'long')).toBeGreaterThan(1_000);
    expect(board.running).toBe(true);
  }, 60_000);
});
