/**
 * The controller contract (contract.ts, `BridgeClient`) over the network: REST with fetch (`Authorization:
 * Bearer <token>`) and the bridge's events over socket.io, for a controller that runs as its own process
 * against any bridge (`cellbench controller`). The in-process twin is rig/in-process-client.ts; both keep
 * the same contract, so one controller runs on either.
 *
 * Routes: rest-client.ts, which holds the REST half both clients share.
 * Events: socket.io `reading`, `device`, `alarm`, `cell` (each with its `seq`), handshake auth `{ token, lastSeq }`.
 *
 * Errors: a method other than command() rejects with HttpBridgeClientError, whose message names the route
 * and the bridge's error code (`GET /api/cells/c1/status: 404 BRIDGE_ERR_NOT_FOUND: no cell "c1"`), or says
 * the bridge could not be reached (code null, status 0). command() resolves with the outcome of any answer
 * the bridge gives (200 ACK; 409 NAK, not capable, not open; other 4xx/5xx) and rejects only when the bridge
 * cannot be reached.
 *
 * Reconnects. The socket is opened by the first `on()` (or `connected()`) and socket.io reconnects it by
 * itself after a network loss, sending the `seq` of the last event seen as `lastSeq`. The bridge then
 * answers with a snapshot whose `missed` counts the events that went by meanwhile. Nothing is replayed and
 * nothing special is emitted: events resume with the next one. A controller that decides on reading times
 * (as the contract asks) loses only the decisions on the readings it missed; what it needs again (a door,
 * a loading) it reads from `cellStatus()`, and `readings()` gives the gap if it wants it. A refused handshake
 * (a bad token) is not retried by socket.io: `connected()` rejects with the bridge's code.
 */

import { io, type Socket } from 'socket.io-client';
import type { BridgeSnapshot, ClientToServerEvents, ServerToClientEvents } from '../bridge/events.js';
import type { BridgeClient } from './contract.js';
import { BridgeRouteError, RestBridgeClient, type RestAnswer, type RestMethod } from './rest-client.js';

export interface HttpBridgeClientOptions {
  /** The bridge's base URL, e.g. `http://127.0.0.1:8080` (the API is under `/api`). */
  url: string;
  /** An API token (operator role, for commands and saving records). Default none (an open bench). */
  token?: string;
  /** The fetch to use. Default the global fetch. */
  fetch?: typeof fetch;
}

/** A bridge client over HTTP; `connected()` waits for the event stream's first snapshot. */
export interface HttpBridgeClient extends BridgeClient {
  /**
   * Opens the event stream if it is not open yet and resolves with the bridge's first snapshot; rejects
   * when the bridge refuses the handshake (naming its code). Events published before it resolves may be missed.
   */
  connected(): Promise<BridgeSnapshot>;
}

export { READINGS_PAGE } from './rest-client.js';

/** A route answered with an error, or the bridge could not be reached (statusCode 0, code null). */
export class HttpBridgeClientError extends BridgeRouteError {
  constructor(route: string, statusCode: number, code: string | null, message: string) {
    super(route, statusCode, code, message);
    this.name = 'HttpBridgeClientError';
  }
}

type BridgeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function createHttpBridgeClient(options: HttpBridgeClientOptions): HttpBridgeClient {
  return new HttpClient(options);
}

class HttpClient extends RestBridgeClient implements HttpBridgeClient {
  protected readonly what = 'the HTTP bridge client';
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof fetch;
  private socket: BridgeSocket | undefined;
  private firstSnapshot: Promise<BridgeSnapshot> | undefined;
  /** The seq of the last event seen, sent as `lastSeq` when socket.io reconnects. */
  private lastSeq: number | undefined;

  constructor(private readonly options: HttpBridgeClientOptions) {
    super();
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(`bridge url must be an http(s) URL such as http://127.0.0.1:8080: "${options.url}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`bridge url must be an http(s) URL such as http://127.0.0.1:8080: "${options.url}"`);
    this.base = url.origin + url.pathname.replace(/\/+$/, '');
    this.headers = options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {};
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  connected(): Promise<BridgeSnapshot> {
    if (this.closed) return Promise.reject(new Error('the HTTP bridge client is closed'));
    this.openSocket();
    return this.firstSnapshot!;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
    this.listeners.clear();
  }

  /** The socket, opened once; socket.io reconnects it after a network loss. */
  protected openEvents(): void {
    this.openSocket();
  }

  protected routeError(route: string, statusCode: number, code: string | null, message: string): Error {
    return new HttpBridgeClientError(route, statusCode, code, message);
  }

  private openSocket(): void {
    if (this.socket) return;
    const socket: BridgeSocket = io(this.base, {
      transports: ['websocket'],
      // A function, so that a reconnect says which event it saw last (the snapshot's `missed`).
      auth: (cb) => cb({ ...(this.options.token !== undefined ? { token: this.options.token } : {}), ...(this.lastSeq !== undefined ? { lastSeq: this.lastSeq } : {}) }),
    });
    this.socket = socket;
    this.firstSnapshot = new Promise<BridgeSnapshot>((resolve, reject) => {
      socket.once('snapshot', resolve);
      socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
        // socket.io retries a network error by itself; a handshake the bridge refused it does not.
        if (socket.active) return;
        reject(new HttpBridgeClientError('socket.io handshake', 0, err.data?.code ?? null, `the bridge refused the event stream: ${err.data?.code ?? ''} ${err.message}`.replace(/ {2}/, ' ')));
      });
    });
    // Nobody may be waiting on connected(); a refused handshake is then only a missing event stream.
    this.firstSnapshot.catch(() => undefined);
    socket.on('snapshot', (s) => {
      // After a reconnect `s.missed` events went by unseen; they are not replayed (see the file's comment).
      this.lastSeq = s.seq;
    });
    socket.on('reading', (r, seq) => {
      this.lastSeq = seq;
      this.emit('reading', r);
    });
    socket.on('device', (d, seq) => {
      this.lastSeq = seq;
      this.emit('device', d);
    });
    socket.on('alarm', (a, change, seq) => {
      this.lastSeq = seq;
      this.emit('alarm', { ...a, change });
    });
    socket.on('cell', (c, seq) => {
      this.lastSeq = seq;
      this.emit('cell', c);
    });
  }

  /** One request; rejects (status 0) only when no answer came. */
  protected async send(method: RestMethod, path: string, body?: unknown): Promise<RestAnswer> {
    const route = `${method} ${path.split('?')[0]}`;
    if (this.closed) throw new HttpBridgeClientError(route, 0, null, 'the HTTP bridge client is closed');
    const headers: Record<string, string> = { ...this.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new HttpBridgeClientError(route, 0, null, `cannot reach the bridge at ${this.base}: ${why}`);
    }
    return { status: res.status, text };
  }
}
