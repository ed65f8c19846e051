/**
 * The controller contract (controller/contract.ts, `BridgeClient`) kept in-process: every method is a request
 * to the bridge's real routes through Fastify's `app.inject` (the same schemas, auth, error bodies and
 * handlers as over HTTP, without a socket), and the events are the bridge's own event hub (`app.events`),
 * the stream that socket.io forwards to remote clients. A controller written against the contract runs on
 * it unchanged; the fast bench (fast-bench.ts) hands it to the controller it holds in lockstep.
 *
 * Routes: controller/rest-client.ts, which holds the REST half both clients share; events: the hub's
 * `reading`, `device`, `alarm` and `cell`.
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
import type { BridgeClient } from '../controller/index.js';
import { BridgeRouteError, RestBridgeClient, type RestAnswer, type RestMethod } from '../controller/rest-client.js';

export interface InProcessClientOptions {
  /** An API token sent as `Authorization: Bearer <token>`. Default: none (the open bench acts as its operator). */
  token?: string;
}

export { READINGS_PAGE } from '../controller/rest-client.js';

/** A route answered with an error: which route, the HTTP status and the bridge's error code. */
export class InProcessClientError extends BridgeRouteError {
  constructor(route: string, statusCode: number, code: string | null, message: string) {
    super(route, statusCode, code, message);
    this.name = 'InProcessClientError';
  }
}

export function createInProcessClient(app: FastifyInstance, options: InProcessClientOptions = {}): BridgeClient {
  return new InProcessClient(app, options);
}

class InProcessClient extends RestBridgeClient {
  protected readonly what = 'the in-process bridge client';
  private readonly headers: Record<string, string>;
  private unsubscribeHub: (() => void) | undefined;

  constructor(
    private readonly app: FastifyInstance,
    options: InProcessClientOptions,
  ) {
    super();
    this.headers = options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {};
  }

  protected openEvents(): void {
    this.unsubscribeHub ??= this.app.events.subscribe((e) => this.dispatch(e));
  }

  protected routeError(route: string, statusCode: number, code: string | null, message: string): Error {
    return new InProcessClientError(route, statusCode, code, message);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeHub?.();
    this.unsubscribeHub = undefined;
    this.listeners.clear();
  }

  /** Hands a hub event to the listeners of its kind, as socket.io would name it. */
  private dispatch(e: BridgeEvent): void {
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

  protected async send(method: RestMethod, url: string, body?: unknown): Promise<RestAnswer> {
    if (this.closed) throw new InProcessClientError(`${method} ${url.split('?')[0]}`, 0, null, 'the in-process bridge client is closed');
    const opts: InjectOptions = { method, url, headers: this.headers };
    if (body !== undefined) opts.payload = body as InjectOptions['payload'];
    const res = await this.app.inject(opts);
    return { status: res.statusCode, text: res.body };
  }
}
