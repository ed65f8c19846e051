/**
 * An in-memory serialport binding to wasm boards (`fast` mode): the bridge opens a board's path exactly as it
 * opens a PTY or a USB port, through node-serialport's binding contract (@serialport/bindings-interface):
 * `list`, `open`; on a port `read` (resolves with at least one byte, or waits), `write`, `close`, `update`,
 * `set`, `get`, `getBaudRate`, `flush`, `drain`. Pending reads reject with `canceled: true` when the port is
 * closed; `unplug(path)` makes them reject without it, which the stream reports as a disconnect (STYLE.md 1).
 *
 * Opening a board's path is what a host's opening a PTY is to the host target: the board's
 * hal_host_present() says 1 from open to close.
 */

import type { OpenOptions as StreamOpenOptions } from '@serialport/stream';
import type { WasmBoard } from './wasm-board.js';

// The contract's types, taken from @serialport/stream as the bridge does (bridge/devices/binding.ts):
// @serialport/bindings-interface ships no types that ESM resolution can find.
type BindingInterface = StreamOpenOptions['binding'];
type BindingPortInterface = Awaited<ReturnType<BindingInterface['open']>>;
type OpenOptions = Parameters<BindingInterface['open']>[0];
type PortInfo = Awaited<ReturnType<BindingInterface['list']>>[number];
type UpdateOptions = Parameters<BindingPortInterface['update']>[0];
type SetOptions = Parameters<BindingPortInterface['set']>[0];
type PortStatus = Awaited<ReturnType<BindingPortInterface['get']>>;

class BindingError extends Error {
  readonly canceled: boolean;
  constructor(message: string, canceled: boolean) {
    super(message);
    this.name = 'BindingError';
    this.canceled = canceled;
  }
}

export class WasmLinkPort implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  private readonly received: Buffer[] = [];
  private pending: { buffer: Buffer; offset: number; length: number; resolve: (r: { buffer: Buffer; bytesRead: number }) => void; reject: (e: Error) => void } | undefined;
  private readonly onData = (bytes: Buffer): void => {
    this.received.push(bytes);
    this.serve();
  };

  constructor(
    private readonly board: WasmBoard,
    options: OpenOptions,
    private readonly onClosed: () => void,
  ) {
    this.openOptions = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    } as Required<OpenOptions>;
    board.on('hostData', this.onData);
    board.hostPresent = true;
  }

  private serve(): void {
    const p = this.pending;
    if (!p || this.received.length === 0) return;
    let n = 0;
    while (n < p.length && this.received.length > 0) {
      const head = this.received[0]!;
      const take = Math.min(p.length - n, head.length);
      head.copy(p.buffer, p.offset + n, 0, take);
      n += take;
      if (take === head.length) this.received.shift();
      else this.received[0] = head.subarray(take);
    }
    this.pending = undefined;
    p.resolve({ buffer: p.buffer, bytesRead: n });
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) throw new BindingError('Port is not open', true);
    if (this.unplugged) throw new BindingError('board unplugged', false);
    if (this.pending) throw new Error('a read is already pending');
    return new Promise((resolve, reject) => {
      this.pending = { buffer, offset, length, resolve, reject };
      this.serve();
    });
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open', true);
    if (this.unplugged) throw new BindingError('board unplugged', false);
    this.board.toBoard(buffer);
  }

  private unplugged = false;

  /** The board side goes: the board sees its host gone, a pending read fails with err. */
  private detach(err: BindingError): void {
    this.board.off('hostData', this.onData);
    this.board.hostPresent = false;
    this.received.length = 0;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open', false);
    this.isOpen = false;
    if (!this.unplugged) this.detach(new BindingError('Port is closed', true));
    this.onClosed();
  }

  /**
   * The cable is pulled: a pending read (and every later read or write) fails without `canceled`, which the
   * stream takes as a disconnect and answers by closing the port, as with a USB adapter pulled out.
   */
  unplug(): void {
    if (!this.isOpen || this.unplugged) return;
    this.unplugged = true;
    this.detach(new BindingError('board unplugged', false));
  }

  async update(options: UpdateOptions): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open', false);
    if (!(options.baudRate > 0)) throw new TypeError(`"baudRate" must be a positive integer: ${options.baudRate}`);
    this.openOptions.baudRate = options.baudRate;
  }

  async set(_options: SetOptions): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open', false);
  }

  async get(): Promise<PortStatus> {
    if (!this.isOpen) throw new BindingError('Port is not open', false);
    return { cts: true, dsr: true, dcd: true };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    if (!this.isOpen) throw new BindingError('Port is not open', false);
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open', false);
    this.received.length = 0;
  }

  async drain(): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open', false);
  }
}

/** The binding: boards registered by path. */
export class WasmLinkBinding implements BindingInterface {
  private readonly boards = new Map<string, WasmBoard>();
  private readonly open_ = new Map<string, WasmLinkPort>();

  /** Makes a board reachable at `path`. */
  register(path: string, board: WasmBoard): void {
    if (this.boards.has(path)) throw new Error(`a board is already registered at ${path}`);
    this.boards.set(path, board);
  }

  async list(): Promise<PortInfo[]> {
    return [...this.boards.keys()].map((path) => ({
      path,
      manufacturer: 'cellbench wasm',
      serialNumber: undefined,
      pnpId: undefined,
      locationId: undefined,
      productId: undefined,
      vendorId: undefined,
    }));
  }

  async open(options: OpenOptions): Promise<WasmLinkPort> {
    if (!options || typeof options.path !== 'string' || options.path === '') throw new TypeError('"path" is not a valid port');
    if (!(options.baudRate > 0)) throw new TypeError(`"baudRate" must be a positive integer: ${options.baudRate}`);
    const board = this.boards.get(options.path);
    if (!board) throw new Error(`Error: No such file or directory, cannot open ${options.path}`);
    if (this.open_.has(options.path)) throw new Error(`Error Resource temporarily unavailable Cannot lock port ${options.path}`);
    const port = new WasmLinkPort(board, options, () => this.open_.delete(options.path));
    this.open_.set(options.path, port);
    return port;
  }

  /** Pulls the cable of the port open at `path` (if any). */
  unplug(path: string): void {
    this.open_.get(path)?.unplug();
  }
}
