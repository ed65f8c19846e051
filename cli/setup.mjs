// @ts-check
// `cellbench setup`: makes this machine ready to run the bench, and does nothing when it already is.
//
// Plain JavaScript on purpose: it runs before any npm package is installed, so it can use only Node's own
// modules. Steps, in order, each skipped when already done:
//   1. Node.js version check.
//   2. Debian packages the bench needs, via apt-get when running as root; otherwise it prints the exact
//      command to run and exits non-zero.
//   3. npm packages from the lockfile (`npm ci`) when node_modules does not match package-lock.json.
//   4. The firmware builds the tests run (`make -C firmware for-tests`, incremental; `make -q` checks).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where Debian's python3 packages put their modules (for Debian's /usr/bin/python3, the one the tests run). */
const DEBIAN_PYTHON3_LIB = '/usr/lib/python3/dist-packages';

/**
 * What the bench needs from Debian, and how to tell that it is there without asking dpkg
 * (so that the check also works where the tool came from somewhere else).
 * @type {{ pkg: string, why: string, present: () => boolean }[]}
 */
export const DEBIAN_PACKAGES = [
  { pkg: 'make', why: 'builds the firmware and native npm addons', present: () => onPath('make') },
  { pkg: 'g++', why: 'compiles better-sqlite3 and the serialport bindings (node-gyp)', present: () => onPath('g++') },
  { pkg: 'python3', why: 'runs node-gyp', present: () => onPath('python3') },
  { pkg: 'gcc', why: 'compiles the firmware host target and its C tests', present: () => onPath('cc') || onPath('gcc') },
  { pkg: 'libc6-dev', why: 'C headers for the host target', present: () => existsSync('/usr/include/stdio.h') },
  { pkg: 'socat', why: 'PTY pairs for serial-link tests', present: () => onPath('socat') },
  { pkg: 'chromium', why: 'headless browser for the dashboard tests', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'gcc-avr', why: 'compiles the firmware for the ATmega2560 (avr target)', present: () => onPath('avr-gcc') && onPath('avr-size') },
  { pkg: 'avr-libc', why: 'C library and device headers for the avr target', present: () => existsSync('/usr/lib/avr/include/avr/io.h') },
  { pkg: 'simavr', why: 'runs the avr build in a simulated ATmega2560', present: () => onPath('simavr') },
  { pkg: 'libsimavr-dev', why: 'builds the simavr harness that puts the avr build on PTYs', present: () => existsSync('/usr/include/simavr/sim_avr.h') },
  { pkg: 'clang', why: 'compiles the firmware to WebAssembly (wasm target)', present: () => onPath('clang') },
  // clang --target=wasm32 runs wasm-ld by that name (Debian's lld provides it beside ld.lld).
  { pkg: 'lld', why: 'links the wasm target (wasm-ld)', present: () => onPath('wasm-ld') },
  // Independent Modbus masters the CO2 module emulator is tested against (test/firmware/modbus-independent-clients).
  { pkg: 'mbpoll', why: 'a Modbus-RTU master on libmodbus, to check the CO2 module emulator', present: () => onPath('mbpoll') },
  { pkg: 'python3-pymodbus', why: 'pymodbus, a second Modbus-RTU master for the same tests', present: () => existsSync(`${DEBIAN_PYTHON3_LIB}/pymodbus/client/__init__.py`) },
  // pymodbus's client imports serial_asyncio; Debian only recommends it, and setup installs without recommends.
  {
    pkg: 'python3-serial-asyncio',
    why: 'serial ports for pymodbus (with python3-serial)',
    present: () => existsSync(`${DEBIAN_PYTHON3_LIB}/serial_asyncio/__init__.py`) && existsSync(`${DEBIAN_PYTHON3_LIB}/serial/__init__.py`),
  },
  // The example customer controller in Python (controller/python/) speaks only the bridge's API: socket.io
  // events with python-socketio's Client and REST with requests (test/controller/python-controller.test.ts
  // runs it). Without python3-websocket, engine.io's client uses HTTP long-polling, through requests too.
  {
    pkg: 'python3-socketio',
    why: 'socket.io client for the example Python controller (controller/python/)',
    present: () => existsSync(`${DEBIAN_PYTHON3_LIB}/socketio/client.py`) && existsSync(`${DEBIAN_PYTHON3_LIB}/engineio/client.py`),
  },
  { pkg: 'python3-requests', why: 'REST calls of the example Python controller', present: () => existsSync(`${DEBIAN_PYTHON3_LIB}/requests/__init__.py`) },
];

/** @param {string} name */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** @param {string} msg */
function say(msg) {
  console.log(`cellbench setup: ${msg}`);
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {object} [opts]
 */
function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.error) throw new Error(`${cmd} could not be started: ${res.error.message}`);
  return res.status ?? 1;
}

function checkNode() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new Error(`Node.js ${process.versions.node} is too old; cellbench needs Node.js 20.19 or newer`);
  }
}

const STAMP = join(root, 'node_modules', '.cellbench-lock-sha256');

function lockHash() {
  return createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
}

/** @returns {string} what was done */
function ensureNpmPackages() {
  const want = lockHash();
  const have = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (have === want) return 'npm packages up to date';
  say('installing npm packages from package-lock.json (npm ci) ...');
  const status = run('npm', ['ci', '--no-audit', '--no-fund']);
  if (status !== 0) throw new Error(`npm ci failed with exit code ${status}`);
  writeFileSync(STAMP, `${want}\n`);
  return 'npm packages installed';
}

/** @returns {string} what was done */
function ensureDebianPackages() {
  const missing = DEBIAN_PACKAGES.filter((p) => !p.present());
  if (missing.length === 0) return 'Debian packages present';
  const names = missing.map((p) => p.pkg);
  const list = missing.map((p) => `  ${p.pkg}: ${p.why}`).join('\n');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    const err = new Error(
      `missing Debian packages:\n${list}\nInstall them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(' ')}`,
    );
    throw err;
  }
  say(`installing Debian packages: ${names.join(' ')} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update'], { env }) !== 0) throw new Error('apt-get update failed');
  const status = run('apt-get', ['install', '-y', '--no-install-recommends', ...names], { env });
  if (status !== 0) throw new Error(`apt-get install ${names.join(' ')} failed with exit code ${status}`);
  const still = missing.filter((p) => !p.present()).map((p) => p.pkg);
  if (still.length > 0) throw new Error(`apt-get installed, but these are still missing: ${still.join(' ')}`);
  return `installed Debian packages: ${names.join(' ')}`;
}

/** @returns {string} what was done */
function buildFirmware() {
  // `make -q` exits 0 when the target is up to date: then the build is skipped without any output.
  // `for-tests` is every firmware build the test suites run (firmware/Makefile says which).
  const upToDate = spawnSync('make', ['-q', '-C', 'firmware', 'for-tests'], { cwd: root, stdio: 'ignore' }).status === 0;
  if (upToDate) return 'firmware up to date';
  const status = run('make', ['-C', 'firmware', '--no-print-directory', 'for-tests']);
  if (status !== 0) throw new Error(`firmware build failed (make -C firmware for-tests exited ${status})`);
  return 'firmware built';
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the process exit code
 */
export async function runSetup(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`Usage: cellbench setup

Makes this machine ready for the bench; a second run installs nothing.
  1. checks Node.js (20.19 or newer)
  2. installs the Debian packages the bench needs (${DEBIAN_PACKAGES.map((p) => p.pkg).join(', ')})
     with apt-get when run as root; otherwise prints the apt-get command to run and exits 1
  3. installs npm packages from package-lock.json when node_modules does not match it
  4. builds the firmware the tests run (make -C firmware for-tests: both boards for the host, avr and
     wasm targets, the simavr harness and the C tests), incrementally`);
    return 0;
  }
  const started = process.hrtime.bigint();
  try {
    checkNode();
    // Debian first: npm ci compiles native addons with make, g++ and python3.
    const done = [ensureDebianPackages(), ensureNpmPackages(), buildFirmware()];
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    say(`ready (${done.join('; ')}) in ${(ms / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    console.error(`cellbench setup: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
