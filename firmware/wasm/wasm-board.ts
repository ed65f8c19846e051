/**
 * A board's wasm build (firmware/targets/wasm) loaded in this process and stepped in lockstep with a virtual
 * clock (`fast` mode): the board's time is exactly what the caller says, and it does only what is due at that
 * time. Every function of the board's HAL (firmware/common/hal.h) is an import served here: the host link and
 * the two sensor-module UARTs are byte queues, the outputs an array, the EEPROM a Uint8Array the caller may
 * keep across power cycles.
 *
 * Lifecycle: `await WasmBoard.load(options)` powers the board up at time `startMs`; `advanceTo(ms)` moves its
 * clock, polling at every moment the board has timed work; bytes to the board (`toBoard`) are handled at the
 * current time on the next microtask. Nothing here reads the wall clock.
 *
 * Time. The board is not a clock (the contract of time/clock.ts: `now()` and timers for others); it follows
 * one, as a real board's millis() follows its crystal. `nowMs` is board ms; whoever owns the plant's virtual
 * clock moves the board to it — in the `fast` mode, the simulator's lockstep driver, whose barrier calls
 * `board.advanceTo(clock.now())` after each quantum (board ms = plant ms since the run's start, as with a host
 * board on `boardClock: 'plant'`), and then lets the microtasks carrying the board's bytes run.
 */

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'wasm');
export const WASM_BOARD_FILES = { gasboard: join(BUILD, 'gasboard.wasm'), palletunit: join(BUILD, 'palletunit.wasm') } as const;
export type WasmBoardKind = keyof typeof WASM_BOARD_FILES;

export const EEPROM_BYTES = 4096;
/** hal_uart_t: UART1 the O2 module, UART2 the CO2 module. */
export const UART = { o2: 0, co2: 1 } as const;

export interface WasmBoardOptions {
  /** Default 'gasboard'. */
  board?: WasmBoardKind;
  /** Default: the build made by `make -C firmware wasm` (`cellbench setup`). */
  wasmPath?: string;
  /** Up to 16 characters of [A-Za-z0-9-]. Default: the board's (GB-0001, PU-0001). */
  serialNumber?: string;
  /** Board ms. Defaults: the board's (1000, 5000, 1 cell, 60000). */
  periodMs?: number;
  staleMs?: number;
  cells?: number;
  flushMs?: number;
  /** The EEPROM's bytes; pass the same array to a new board to keep boots and calibration. Default: erased. */
  eeprom?: Uint8Array;
  /** Why this power-up happened. Default 'power'. */
  resetCause?: 'power' | 'watchdog';
  /** Board time at power-up, ms. Default 0. */
  startMs?: number;
}

export interface WasmBoardEvents {
  /** Bytes the board wrote to its host link. */
  hostData: [bytes: Buffer];
  /** Bytes the board wrote to a sensor UART (0: O2, 1: CO2). */
  uartData: [uart: number, bytes: Buffer];
  /** An output changed. */
  output: [index: number, on: boolean];
}

interface Exports {
  memory: WebAssembly.Memory;
  cb_sn_buffer(): number;
  cb_init(periodMs: number, staleMs: number, cells: number, flushMs: number): void;
  cb_poll(): void;
  cb_idle_ms(): number;
}

/** Bytes the link takes at once, like the host target's PTY (firmware/README.md). */
const HOST_ROOM = 4096;
/** Polls at one moment at most, so a board that always has more to do cannot hang its host. */
const POLLS_PER_MOMENT = 10_000;

export class WasmBoard extends EventEmitter<WasmBoardEvents> {
  readonly eeprom: Uint8Array;
  readonly outputs = new Uint8Array(32);
  /** The board's clock, ms (it wraps at 2^32 inside the board, as on hardware). */
  nowMs: number;
  /** What hal_host_present() says: false while no host has the link open. */
  hostPresent = false;
  /** Watchdog bookkeeping: the timeout the board asked for, and the virtual time of the last kick. */
  watchdog = { timeoutMs: 0, lastKickMs: 0 };
  private readonly toBoardQueue: Buffer[] = [];
  private readonly uartQueues: Buffer[][] = [[], []];
  private readonly ex: Exports;
  private pollScheduled = false;
  private heapView = new Uint8Array(0);
  /**
   * When the board last said it had nothing due (cb_idle_ms > 0, no bytes waiting): its time then, and whether
   * a host was there. A poll reads nothing else (time, the byte queues, hal_host_present/room), so polled again
   * in that state the board does nothing, its memory the same byte for byte: pollNow skips such a poll (a
   * moment's microtask after bytes already read, advanceTo's first poll after the last moment's).
   */
  private quietAtMs = Number.NaN;
  private quietHostPresent = false;
  /** The microtask of schedulePoll, made once. */
  private readonly scheduledPoll = (): void => {
    this.pollScheduled = false;
    this.pollNow();
  };

  private constructor(instance: WebAssembly.Instance, options: WasmBoardOptions, eeprom: Uint8Array) {
    super();
    this.ex = instance.exports as unknown as Exports;
    this.eeprom = eeprom;
    this.nowMs = options.startMs ?? 0;
  }

  static async load(options: WasmBoardOptions = {}): Promise<WasmBoard> {
    const path = options.wasmPath ?? WASM_BOARD_FILES[options.board ?? 'gasboard'];
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`wasm build not found at ${path}; run \`cellbench setup\` (or make -C firmware wasm)`);
    }
    const eeprom = options.eeprom ?? new Uint8Array(EEPROM_BYTES).fill(0xff);
    if (eeprom.length !== EEPROM_BYTES) throw new RangeError(`"eeprom" must be ${EEPROM_BYTES} bytes: ${eeprom.length}`);
    let board: WasmBoard | undefined;
    const self = (): WasmBoard => board!;
    const imports = { env: WasmBoard.imports(self, options.resetCause === 'watchdog' ? 1 : 0) };
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(bytes)), imports);
    board = new WasmBoard(instance, options, eeprom);
    const sn = options.serialNumber ?? '';
    if (!/^[A-Za-z0-9-]{0,16}$/.test(sn)) throw new RangeError(`"serialNumber" must be up to 16 characters of [A-Za-z0-9-]: "${sn}"`);
    board.mem(board.ex.cb_sn_buffer(), 17).set(Buffer.from(`${sn}\0`, 'latin1'));
    board.ex.cb_init(options.periodMs ?? 0, options.staleMs ?? 0, options.cells ?? 1, options.flushMs ?? 60_000);
    return board;
  }

  private static imports(b: () => WasmBoard, resetCause: number): Record<string, (...a: number[]) => number | void> {
    const u32 = (n: number): number => n >>> 0;
    return {
      hal_millis: () => u32(b().nowMs),
      hal_host_read: (ptr, cap) => {
        const board = b();
        return board.drain(board.toBoardQueue, ptr, cap);
      },
      hal_host_write: (ptr, len) => {
        const board = b();
        if (!board.hostPresent) return 0;
        board.emit('hostData', board.copyOut(ptr, len));
        return len;
      },
      hal_host_room: () => (b().hostPresent ? HOST_ROOM : 0),
      hal_host_present: () => (b().hostPresent ? 1 : 0),
      hal_uart_read: (uart, ptr, cap) => {
        if (uart !== 0 && uart !== 1) return 0;
        const board = b();
        return board.drain(board.uartQueues[uart]!, ptr, cap);
      },
      hal_uart_write: (uart, ptr, len) => {
        if (uart !== 0 && uart !== 1) return 0;
        const board = b();
        board.emit('uartData', uart, board.copyOut(ptr, len));
        return len;
      },
      hal_output_set: (index, on) => {
        if (index >= 32) return;
        const level = on ? 1 : 0;
        if (b().outputs[index] === level) return;
        b().outputs[index] = level;
        b().emit('output', index, level === 1);
      },
      hal_eeprom_read: (addr, ptr, len) => {
        if (addr + len > EEPROM_BYTES) return -1;
        b().mem(ptr, len).set(b().eeprom.subarray(addr, addr + len));
        return 0;
      },
      hal_eeprom_write: (addr, ptr, len) => {
        if (addr + len > EEPROM_BYTES) return -1;
        b().eeprom.set(b().mem(ptr, len), addr);
        return 0;
      },
      hal_reset_cause: () => resetCause,
      hal_watchdog_start: (ms) => {
        b().watchdog.timeoutMs = ms;
        b().watchdog.lastKickMs = b().nowMs;
      },
      hal_watchdog_kick: () => {
        b().watchdog.lastKickMs = b().nowMs;
      },
    };
  }

  private mem(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer, ptr, len);
  }

  /**
   * All of the board's memory, one view kept across HAL calls (a view per call costs more than the copy). A
   * grown memory detaches the old buffer, whose views then have length 0: the view is made again.
   */
  private heap(): Uint8Array {
    if (this.heapView.byteLength === 0) this.heapView = new Uint8Array(this.ex.memory.buffer);
    return this.heapView;
  }

  /** A copy of `len` bytes of the board's memory at `ptr`: listeners may keep it. */
  private copyOut(ptr: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    out.set(this.mem(ptr, len));
    return out;
  }

  /** Copies up to cap queued bytes into the board's memory at ptr; returns how many. */
  private drain(queue: Buffer[], ptr: number, cap: number): number {
    if (queue.length === 0) return 0;
    const heap = this.heap();
    let n = 0;
    while (n < cap && queue.length > 0) {
      const head = queue[0]!;
      const take = Math.min(cap - n, head.length);
      if (take === head.length) {
        heap.set(head, ptr + n);
        queue.shift();
      } else {
        heap.set(head.subarray(0, take), ptr + n);
        queue[0] = head.subarray(take);
      }
      n += take;
    }
    return n;
  }

  /** Bytes for the board's host link; the board reads them at the current time, on the next microtask. */
  toBoard(bytes: Buffer): void {
    this.toBoardQueue.push(Buffer.from(bytes));
    this.schedulePoll();
  }

  /** Bytes from a sensor module (0: O2, 1: CO2), read at the current time on the next microtask. */
  toUart(uart: number, bytes: Buffer): void {
    if (uart !== 0 && uart !== 1) throw new RangeError(`"uart" must be 0 (O2) or 1 (CO2): ${uart}`);
    this.uartQueues[uart]!.push(Buffer.from(bytes));
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.pollScheduled) return;
    this.pollScheduled = true;
    queueMicrotask(this.scheduledPoll);
  }

  private bytesWaiting(): boolean {
    return this.toBoardQueue.length > 0 || this.uartQueues[0]!.length > 0 || this.uartQueues[1]!.length > 0;
  }

  /** Polls at the current time until the board has nothing more due now (bounded). */
  pollNow(): void {
    if (this.quietAtMs === this.nowMs && this.quietHostPresent === this.hostPresent && !this.bytesWaiting()) return;
    this.quietAtMs = Number.NaN;
    for (let i = 0; i < POLLS_PER_MOMENT; i++) {
      const atMs = this.nowMs;
      const hostPresent = this.hostPresent;
      this.ex.cb_poll();
      if (!this.bytesWaiting() && this.ex.cb_idle_ms() > 0) {
        // Quiet only in the state this poll saw (a listener of its events may have changed it since).
        if (this.nowMs === atMs && this.hostPresent === hostPresent) {
          this.quietAtMs = atMs;
          this.quietHostPresent = hostPresent;
        }
        return;
      }
    }
  }

  /** Moves the board's clock to `ms` (not backwards), stopping at every moment it has timed work. */
  advanceTo(ms: number): void {
    if (!(ms >= this.nowMs)) throw new RangeError(`time must not go back: ${ms} < ${this.nowMs}`);
    this.pollNow();
    while (this.nowMs < ms) {
      const idle = Math.max(1, this.ex.cb_idle_ms());
      this.nowMs = Math.min(ms, this.nowMs + idle);
      this.pollNow();
    }
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }
}
