/**
 * The wasm firmware the fast bench runs (rig/fast-bench.ts): the toolchain a suite needs to build it, and the
 * build itself (`make -C firmware wasm`, incremental), for a suite's beforeAll.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ToolCheck } from './required-tools.js';

export const WASM_TOOLS: ToolCheck[] = [
  ['clang', () => spawnSync('clang', ['--version']).status === 0],
  ['wasm-ld (lld)', () => spawnSync('wasm-ld', ['--version']).status === 0],
];

/** Builds the boards' wasm if it is out of date; throws with make's stderr when the build fails. */
export function buildWasm(): void {
  const made = spawnSync('make', ['-C', fileURLToPath(new URL('../../firmware', import.meta.url)), '--no-print-directory', 'wasm'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`make -C firmware wasm failed: ${made.stderr}`);
}
