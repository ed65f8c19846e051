/**
 * The controller contract (controller/contract.ts, `BridgeClient`) kept in-process: every method is a request
 * to the bridge's real routes through Fastify's `app.inject` (the same schemas, auth, error bodies and
 * handlers as over HTTP, without a socket), and the events are the bridge's own event hub (`app.events`),
 * the stream that socket.io forwards to remote clients. A controller written against the contract runs on
 * it unchanged; the fast bench (fast-bench.ts) hands it to the controller it holds in lockstep.
 *
 * Routes used (controller/README.md, "The contract"):
 *   GET  /api/cells                               cellIds()
 *   GET  /api/cells/:cellId/status                cellStatus()
 *   GET  /api/cells/:cellId/readings?from&to&limit readings(), paged by `READINGS_PAGE`
 *   POST /api/devices/:id/commands                command(): 200 ACK; 409 NAK, not capable, not open
 *   GET  /api/cells/:cellId/controller            loadRecord()
 *   PUT  /api/cells/:cellId/controller            saveRecord()
 *
 * Time: nothing here reads a clock; every time is the bridge's (epoch ms on its clock).
 *
 * Errors: a method other than command() rejects with `InProcessClientError`, whose message names the route and
 * the bridge's error code (`GET /api/cells/c1/status: 404 BRIDGE_ERR_NOT_FOUND: no cell "c1"`). command()
 * resolves with the outcome of any answer the bridge gives, as the contract says, and rejects only when the
 * app itself fails (closed, or a request that never completes).
 */

import type { FastifyInstance, InjectOptions } from 'fastify';
import type { BridgeEvent } from '../bridge/index.js';
import type {
  BridgeClient,
  BridgeEvents,
  CellChange,
  CellStatusView,
  CommandOutcome,
  ControllerCommand,
  ControllerRecord,
  ReadingView,
  StoredControllerRecord,
  Unsubscribe,
} from '../controller/index.js';

export interface InProcessClientOptions {
  /** An API token sent as `Authorization: Bearer <token>`. Default: none (the open bench acts as its operator). */
  token?: string;
}

/** The most readings the readings route gives in one answer; readings() asks again from the last one on. */
export const READINGS_PAGE = 10_000;

/** A route answered with an error: which route, the HTTP status and the bridge's error code. */
export class InProcessClientError extends Error {
  readonly route: string;
  readonly statusCode: number;
  /** The bridge's code (BRIDGE_ERR_...), or null when the answer carried none. */
  readonly code: string | null;

  constructor(route: string, statusCode: number, code: string | null, message: string) {
    super(`${route}: ${statusCode} ${code ?? '(no error code)'}: ${message}`);
    this.name = 'InProcessClientError';
    this.route = route;
    this.statusCode = statusCode;
    this.code = code;
  }
}

/**
 * The event hub's `cell` event (issue 11): carried on the hub as `{ kind: 'cell', change: CellChange }`. The hub's
 * own union type may not list it yet; it is read here by shape.
 */
type HubCellEvent = { kind: 'cell'; seq: number; change: CellChange };

type Listener = (payload: never) => void;

interface ErrorBodyLike {
  code?: unknown;
  message?: unknown;
}

export function createInProcessClient(app: FastifyInstance, options: InProcessClientOptions = {}): BridgeClient {
  return new InProcessClient(app, options);
}

class InProcessClient implements BridgeClient {
  private readonly headers: Record<string, string>;
  private readonly listeners = new Map<keyof BridgeEvents, Set<Listener>>();
  private unsubscribeHub: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly app: FastifyInstance,
    options: InProcessClientOptions,
  ) {
    this.headers = options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {};
  }

  async cellIds(): Promise<string[]> {
    const body = await this.json<{ cells: Array<{ id: string }> }>('GET', '/api/cells');
    return body.cells.map((c) => c.id);
  }

  async cellStatus(cellId: string): Promise<CellStatusView> {
    return this.json<CellStatusView>('GET', `/api/cells/${encodeURIComponent(cellId)}/status`);
  }

  async readings(cellId: string, fromMs: number, toMs: number): Promise<ReadingView[]> {
    const out: ReadingView[] = [];
    let from = fromMs;
    for (;;) {
      const url = `/api/cells/${encodeURIComponent(cellId)}/readings?from=${from}&to=${toMs}&limit=${READINGS_PAGE}`;
      const page = await this.json<{ readings: ReadingView[] }>('GET', url);
      out.push(...page.readings);
      const last = page.readings.at(-1);
      // A full page may have more behind it: ask again after its last reading.
      if (page.readings.length < READINGS_PAGE || last === undefined || last.measuredAtMs >= toMs) return out;
      from = last.measuredAtMs + 1;
    }
  }

  async command(deviceId: string, command: ControllerCommand): Promise<CommandOutcome> {
    const res = await this.request('POST', `/api/devices/${encodeURIComponent(deviceId)}/commands`, command);
    if (res.statusCode === 200) return { ok: true, status: 200, code: null, message: null };
    const body = parseBody(res.body) as ErrorBodyLike | undefined;
    return {
      ok: false,
      status: res.statusCode,
      code: typeof body?.code === 'string' ? body.code : null,
      message: typeof body?.message === 'string' ? body.message : res.body.slice(0, 200) || null,
    };
  }

  async loadRecord(cellId: string): Promise<StoredControllerRecord | null> {
    const body = await this.json<{ record: StoredControllerRecord | null }>('GET', `/api/cells/${encodeURIComponent(cellId)}/controller`);
    return body.record;
  }

  async saveRecord(cellId: string, record: ControllerRecord): Promise<void> {
    await this.json('PUT', `/api/cells/${encodeURIComponent(cellId)}/controller`, record);
  }

  on<K extends keyof BridgeEvents>(event: K, listener: (payload: BridgeEvents[K]) => void): Unsubscribe {
    if (this.closed) throw new Error('the in-process bridge client is closed');
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    this.unsubscribeHub ??= this.app.events.subscribe((e) => this.dispatch(e));
    return () => {
      set.delete(listener as Listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeHub?.();
    this.unsubscribeHub = undefined;
    this.listeners.clear();
  }

  /** Hands a hub event to the listeners of its kind, as socket.io would name it. */
  private dispatch(e: BridgeEvent | HubCellEvent): void {
    switch (e.kind) {
      case 'reading':
        return this.emit('reading', e.reading);
      case 'device':
        return this.emit('device', e.device);
      case 'alarm':
        return this.emit('alarm', { ...e.alarm, change: e.change });
      case 'cell':
        return this.emit('cell', e.change);
    }
  }

  private emit<K extends keyof BridgeEvents>(event: K, payload: BridgeEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) (l as (p: BridgeEvents[K]) => void)(payload);
  }

  private async request(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<{ statusCode: number; body: string }> {
    if (this.closed) throw new Error(`${method} ${url.split('?')[0]}: the in-process bridge client is closed`);
    const opts: InjectOptions = { method, url, headers: this.headers };
    if (body !== undefined) opts.payload = body as InjectOptions['payload'];
    const res = await this.app.inject(opts);
    return { statusCode: res.statusCode, body: res.body };
  }

  /** A request whose 2xx answer is JSON; anything else rejects naming the route and the bridge's code. */
  private async json<T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<T> {
    const res = await this.request(method, url, body);
    const parsed = parseBody(res.body);
    if (res.statusCode >= 200 && res.statusCode < 300) return parsed as T;
    const err = parsed as ErrorBodyLike | undefined;
    throw new InProcessClientError(
      `${method} ${url.split('?')[0]}`,
      res.statusCode,
      typeof err?.code === 'string' ? err.code : null,
      typeof err?.message === 'string' ? err.message : res.body.slice(0, 200),
    );
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
