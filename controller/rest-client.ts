/**
 * The contract's REST half, written once: which route each BridgeClient method calls, how readings are paged,
 * how a command's answer becomes its outcome, and how an error answer becomes an Error naming the route and the
 * bridge's code. The two clients differ only in how a request travels and where events come from:
 * `createHttpBridgeClient` (http-client.ts: fetch and socket.io) and the fast bench's in-process client
 * (rig/in-process-client.ts: `app.inject` and the bridge's event hub) each extend this class with `send()`,
 * `openEvents()` and `close()`.
 *
 *   GET  /api/cells                                 cellIds()
 *   GET  /api/cells/:cellId/status                  cellStatus()
 *   GET  /api/cells/:cellId/readings?from&to&limit  readings(), paged by READINGS_PAGE
 *   POST /api/devices/:id/commands                  command(): 200 ACK; 409 NAK, not capable, not open
 *   GET  /api/cells/:cellId/controller              loadRecord()
 *   PUT  /api/cells/:cellId/controller              saveRecord()
 */

import type {
  BridgeClient,
  BridgeEvents,
  CellStatusView,
  CommandOutcome,
  ControllerCommand,
  ControllerRecord,
  ReadingView,
  StoredControllerRecord,
  Unsubscribe,
} from './contract.js';

/** The most readings the readings route gives in one answer; readings() asks again from the last one on. */
export const READINGS_PAGE = 10_000;

/** The latest time the API takes (bridge/routes/devices.ts): the end of ISO 8601's four-digit years. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export type RestMethod = 'GET' | 'POST' | 'PUT';

/** A bridge's answer: its HTTP status and body text. */
export interface RestAnswer {
  status: number;
  text: string;
}

/** A route answered with an error, or the bridge could not be reached (statusCode 0, code null). */
export class BridgeRouteError extends Error {
  /** `METHOD /api/path` without the query. */
  readonly route: string;
  readonly statusCode: number;
  /** The bridge's code (BRIDGE_ERR_...), or null when the answer carried none or there was no answer. */
  readonly code: string | null;

  constructor(route: string, statusCode: number, code: string | null, message: string) {
    super(statusCode === 0 ? `${route}: ${message}` : `${route}: ${statusCode} ${code ?? '(no error code)'}: ${message}`);
    this.name = 'BridgeRouteError';
    this.route = route;
    this.statusCode = statusCode;
    this.code = code;
  }
}

type Listener = (payload: never) => void;

interface ErrorBodyLike {
  code?: unknown;
  message?: unknown;
}

export abstract class RestBridgeClient implements BridgeClient {
  protected readonly listeners = new Map<keyof BridgeEvents, Set<Listener>>();
  protected closed = false;

  /** One request; resolves with any answer, rejects (with `routeError(route, 0, ...)`) only when none came. */
  protected abstract send(method: RestMethod, path: string, body?: unknown): Promise<RestAnswer>;
  /** Starts delivering events to `listeners` (called by the first `on()`); idempotent. */
  protected abstract openEvents(): void;
  /** The error this client rejects with; a subclass may name its own class. */
  protected abstract routeError(route: string, statusCode: number, code: string | null, message: string): Error;
  /** What this client is, for messages ('the HTTP bridge client'). */
  protected abstract readonly what: string;
  abstract close(): Promise<void>;

  async cellIds(): Promise<string[]> {
    const body = await this.json<{ cells: Array<{ id: string }> }>('GET', '/api/cells');
    return body.cells.map((c) => c.id);
  }

  async cellStatus(cellId: string): Promise<CellStatusView> {
    return this.json<CellStatusView>('GET', `/api/cells/${encodeURIComponent(cellId)}/status`);
  }

  async readings(cellId: string, fromMs: number, toMs: number): Promise<ReadingView[]> {
    const out: ReadingView[] = [];
    // The API takes times from 1970 to the end of 9999: wider bounds (0, Number.MAX_SAFE_INTEGER) mean "all".
    const to = Math.min(Math.floor(toMs), MAX_TIME_MS);
    let from = Math.max(0, Math.ceil(fromMs));
    if (to < from) return out;
    for (;;) {
      const page = await this.json<{ readings: ReadingView[] }>('GET', `/api/cells/${encodeURIComponent(cellId)}/readings?from=${from}&to=${to}&limit=${READINGS_PAGE}`);
      out.push(...page.readings);
      const last = page.readings.at(-1);
      // A full page may have more behind it: ask again after its last reading.
      if (page.readings.length < READINGS_PAGE || last === undefined || last.measuredAtMs >= to) return out;
      from = last.measuredAtMs + 1;
    }
  }

  async command(deviceId: string, command: ControllerCommand): Promise<CommandOutcome> {
    const res = await this.send('POST', `/api/devices/${encodeURIComponent(deviceId)}/commands`, command);
    if (res.status === 200) return { ok: true, status: 200, code: null, message: null };
    const body = parseBody(res.text) as ErrorBodyLike | undefined;
    return {
      ok: false,
      status: res.status,
      code: typeof body?.code === 'string' ? body.code : null,
      message: typeof body?.message === 'string' ? body.message : res.text.slice(0, 200) || null,
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
    if (this.closed) throw new Error(`${this.what} is closed`);
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    this.openEvents();
    return () => {
      set.delete(listener as Listener);
    };
  }

  protected emit<K extends keyof BridgeEvents>(event: K, payload: BridgeEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) (l as (p: BridgeEvents[K]) => void)(payload);
  }

  /** A request whose 2xx answer is JSON; anything else rejects naming the route and the bridge's code. */
  protected async json<T>(method: RestMethod, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const parsed = parseBody(res.text);
    if (res.status >= 200 && res.status < 300) return parsed as T;
    const err = parsed as ErrorBodyLike | undefined;
    throw this.routeError(
      `${method} ${path.split('?')[0]}`,
      res.status,
      typeof err?.code === 'string' ? err.code : null,
      typeof err?.message === 'string' ? err.message : res.text.slice(0, 200),
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
