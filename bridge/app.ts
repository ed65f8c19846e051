/**
 * Builds the bridge as a Fastify app without listening: tests call `app.inject()`, and only server.ts
 * listens. Ports are opened when the app becomes ready and everything opened is closed in `onClose`.
 */

import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import AjvCompiler from '@fastify/ajv-compiler';
import { autoDetect } from '@serialport/bindings-cpp';
import type { Binding } from './devices/binding.js';
import { systemClock, type Clock } from './clock.js';
import { DeviceManager, type PortConfig } from './devices/device-manager.js';
import type { DiscoveryOptions } from './devices/port-discovery.js';
import { BridgeError, type BridgeErrorCode, type ErrorBody } from './errors.js';
import { authPlugin, type AuthOptions } from './auth/auth.js';
import { SECURITY_HEADERS } from './auth/browser-guard.js';
import { CellMap, type CellConfig } from './cells.js';
import type { CellAlarmConfig } from './alarms/alarm-engine.js';
import { alarmsPlugin } from './alarms/alarms-plugin.js';
import { alarmRoutes } from './alarms/alarm-routes.js';
import type { NotificationOptions } from './alarms/notifier.js';
import { rigIoPlugin, type RigIoConfig } from './rig-io/rig-io-plugin.js';
import { realtime } from './realtime.js';
import { deviceRoutes } from './routes/devices.js';
import { docsRoutes, openApi } from './routes/docs.js';
import { tokenRoutes } from './routes/tokens.js';
import { storeRoutes } from './routes/store-routes.js';
import { historyRoutes } from './routes/history-routes.js';
import { cellRoutes } from './routes/cell-routes.js';
import { controllerRoutes } from './routes/controller-routes.js';
import { SqliteStore } from './store/sqlite-store.js';
import { EventHub } from './event-hub.js';

export interface BridgeOptions {
  /** Serial ports to open, one board each. Default: none. */
  ports?: PortConfig[];
  /** Find more ports by pattern (and udev), again every rescanMs, for hot-plug. Default: none. */
  discovery?: DiscoveryOptions;
  /** SQLite database file; ':memory:' keeps nothing. Default '.cellbench/bench.sqlite'. */
  dbPath?: string;
  /** The serialport binding. Default: the native binding for this OS (@serialport/bindings-cpp). */
  binding?: Binding;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default 2000. */
  commandTimeoutMs?: number;
  /** Default 2000. */
  handshakeTimeoutMs?: number;
  /** Retries of an idempotent command (set_valve) after a timeout. Default 2. */
  commandRetries?: number;
  /** Reconnect backoff: first wait and longest wait in ms. Defaults 250 and 30000. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Largest request body in bytes. Default 16384. */
  bodyLimitBytes?: number;
  /** Which board measures which cell. Default: each board is its own cell. */
  cells?: CellConfig[];
  /** Alarm thresholds of every cell that does not set its own. Default: none but the safety alarm. */
  defaultAlarms?: CellAlarmConfig;
  /** Where alarms are sent: webhooks, e-mail (SMTP), SMS (gateway webhook). Default: nowhere. */
  notifications?: NotificationOptions;
  /** The rig I/O board (johnny-five over Firmata): relays, inputs, door switches. Default: none. */
  rigIo?: RigIoConfig;
  /** Who may do what (bridge/auth/auth.ts). Default: the open bench, `{ mode: 'open' }`. */
  auth?: AuthOptions;
  /**
   * How long to keep readings and events, in days; pruned at start and then every `everyMs` (default one
   * hour) on the clock. Default: keep everything.
   */
  retention?: { readingsDays?: number; eventsDays?: number; everyMs?: number };
  /** Fastify's logger option. Default false. */
  logger?: boolean | { level: string };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Live readings, device changes and alarm changes, numbered in one order (event-hub.ts). */
    events: EventHub;
    devices: DeviceManager;
    cells: CellMap;
    store: SqliteStore;
    clock: Clock;
  }
}

type CompilerOptions = { customOptions?: Record<string, unknown>; plugins?: unknown[] };
/** At run time Fastify hands a compiler a route definition ({ schema, httpPart, ... }), whatever ajv-compiler's typings say. */
type Compile = (definition: { schema: unknown; httpPart?: string }) => unknown;

/**
 * Fastify's validator (@fastify/ajv-compiler), twice, for one app: request bodies are JSON and keep their
 * types (`null` is not 0 for a threshold nor false for a door, "8" is not 8), while the query string,
 * path parameters and headers are text and have their numbers and booleans read from it (`?limit=10`),
 * as Fastify's default does (`coerceTypes: 'array'`). Both otherwise keep Fastify's Ajv options and the
 * app's `ajv.customOptions`.
 */
function perPartValidators(): AjvCompiler.BuildCompilerFromPool {
  const bodyValidators = AjvCompiler();
  const textValidators = AjvCompiler();
  function buildValidator(externalSchemas: Record<string, unknown>, options: CompilerOptions = {}): Compile {
    const withCoercion = (coerceTypes: false | 'array') => ({ ...options, customOptions: { ...options.customOptions, coerceTypes } }) as never;
    const body = bodyValidators(externalSchemas as never, withCoercion(false)) as unknown as Compile;
    const text = textValidators(externalSchemas as never, withCoercion('array')) as unknown as Compile;
    return (definition) => (definition.httpPart === 'body' ? body : text)(definition);
  }
  return buildValidator as unknown as AjvCompiler.BuildCompilerFromPool;
}

/** Fastify's `maxParamLength` (its default): a longer path parameter is 414 BRIDGE_ERR_URI_TOO_LONG. */
const MAX_PARAM_LENGTH = 100;

/** Maps Fastify's own error codes to ours, so a client never has to know Fastify's. */
function toErrorBody(err: FastifyError, request: FastifyRequest): ErrorBody {
  if (err instanceof BridgeError) {
    return {
      statusCode: err.statusCode,
      code: err.code,
      error: statusText(err.statusCode),
      message: err.message,
      ...(err.field ? { field: err.field } : {}),
      ...(err.details ? { details: err.details } : {}),
    };
  }
  if (err.validation) {
    const first = err.validation[0];
    const params = (first?.params ?? {}) as Record<string, unknown>;
    const path = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const fieldName =
      (typeof params.missingProperty === 'string' && (path ? `${path}.${params.missingProperty}` : params.missingProperty)) ||
      (typeof params.additionalProperty === 'string' && (path ? `${path}.${params.additionalProperty}` : params.additionalProperty)) ||
      path ||
      '(root)';
    const code: BridgeErrorCode =
      err.validationContext === 'querystring'
        ? 'BRIDGE_ERR_BAD_QUERY'
        : err.validationContext === 'params'
          ? 'BRIDGE_ERR_BAD_PARAMS'
          : 'BRIDGE_ERR_BAD_BODY';
    let reason = first?.message ?? 'is invalid';
    if (typeof params.additionalProperty === 'string') reason = 'is not a known field';
    if (Array.isArray(params.allowedValues)) reason = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    return { statusCode: 400, code, error: 'Bad Request', message: `${err.validationContext ?? 'body'} field "${fieldName}" ${reason}`, field: fieldName };
  }
  const path = request.url.split('?')[0] ?? request.url;
  const shown = path.length > 80 ? `${path.slice(0, 80)}...` : path;
  const body = (statusCode: number, code: BridgeErrorCode, message: string): ErrorBody => ({ statusCode, code, error: statusText(statusCode), message });
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(413, 'BRIDGE_ERR_BODY_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = String(request.headers['content-type'] ?? '').slice(0, 80);
      return body(415, 'BRIDGE_ERR_UNSUPPORTED_MEDIA_TYPE', `content type "${type}" is not accepted; send the body as application/json`);
    }
    case 'FST_ERR_BAD_URL':
      return body(400, 'BRIDGE_ERR_BAD_URL', `the URL path "${shown}" cannot be decoded (a malformed %-escape?)`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return body(414, 'BRIDGE_ERR_URI_TOO_LONG', `a path parameter of "${shown}" is longer than ${MAX_PARAM_LENGTH} characters`);
  }
  const status = err.statusCode ?? 500;
  if (err.code?.startsWith('FST_ERR_CTP_')) return body(status, 'BRIDGE_ERR_BAD_BODY', err.message);
  if (status >= 400 && status < 500) {
    // Any other client error (a plugin's, a future Fastify one) still gets one of our codes.
    const byStatus: Record<number, BridgeErrorCode> = {
      404: 'BRIDGE_ERR_NOT_FOUND',
      413: 'BRIDGE_ERR_BODY_TOO_LARGE',
      414: 'BRIDGE_ERR_URI_TOO_LONG',
      415: 'BRIDGE_ERR_UNSUPPORTED_MEDIA_TYPE',
      429: 'BRIDGE_ERR_RATE_LIMITED',
    };
    return body(status, byStatus[status] ?? 'BRIDGE_ERR_BAD_REQUEST', err.message);
  }
  return body(500, 'BRIDGE_ERR_INTERNAL', 'internal error; see the bridge log');
}

/** Answers any error, the route's or Fastify's own (bad URL, too long a parameter), with our error body. */
function sendError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body = toErrorBody(err, request);
  if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
  void reply.status(body.statusCode).send(body);
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    413: 'Payload Too Large',
    414: 'URI Too Long',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[status] ?? 'Error';
}

export function buildApp(options: BridgeOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 16384,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Unknown fields are an error the client should hear about, not something to drop in silence.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: perPartValidators() } },
    // Errors the router meets before any route or hook runs (bad URL, too long a parameter) get our body
    // too, and the security headers, which no onSend hook adds to these.
    frameworkErrors: (err, request, reply) => sendError(err, request, reply.headers(SECURITY_HEADERS)),
  });
  const clock = options.clock ?? systemClock;
  const store = new SqliteStore(options.dbPath ?? '.cellbench/bench.sqlite');
  const cells = new CellMap(options.cells, options.defaultAlarms);
  // Readings stored before cells were kept are their device's configured cell.
  store.readings.legacyCellOf = (deviceId, boardCell) => cells.cellOf(deviceId, boardCell);
  // Thresholds an admin set at run time outlive restarts and win over the configured ones.
  for (const t of store.alarms.thresholds()) cells.setAlarms(t.cellId, t.config);
  const binding = options.binding ?? autoDetect();
  const devices = new DeviceManager({
    cellOf: (id, boardCell) => cells.cellOf(id, boardCell),
    cellsOf: (id) => cells.cellsOfDevice(id),
    ports: options.ports ?? [],
    ...(options.discovery ? { discovery: options.discovery } : {}),
    binding,
    clock,
    store,
    ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
    ...(options.commandRetries !== undefined ? { commandRetries: options.commandRetries } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
  });
  app.decorate('clock', clock);
  app.decorate('store', store);
  app.decorate('devices', devices);
  const events = new EventHub();
  app.decorate('events', events);
  devices.on('reading', (reading) => events.publish({ kind: 'reading', reading }));
  devices.on('device', (device) => events.publish({ kind: 'device', device }));
  app.decorate('cells', cells);

  app.setErrorHandler((err: FastifyError, request, reply) => sendError(err, request, reply));
  // The API speaks JSON only. Fastify would parse text/plain too, the one body type a foreign page can
  // POST without a CORS preflight; it is refused with 415 instead.
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      statusCode: 404,
      code: 'BRIDGE_ERR_NOT_FOUND',
      error: 'Not Found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    };
    void reply.status(404).send(body);
  });

  // Rejected lines reach the log once per kind and port, then as a summary a minute (devices/reject-log.ts).
  devices.on('log', (level, context, message) => app.log[level](context, message));
  app.register(openApi);
  app.register(authPlugin, { ...(options.auth ?? {}), store: store.tokens, now: () => clock.now() });
  app.register(alarmsPlugin, { ...(options.notifications ? { notifications: options.notifications } : {}) });
  app.register(realtime);
  app.register(deviceRoutes, { prefix: '/api' });
  app.register(tokenRoutes, { prefix: '/api' });
  app.register(storeRoutes, { prefix: '/api' });
  app.register(historyRoutes, { prefix: '/api' });
  app.register(cellRoutes, { prefix: '/api' });
  app.register(controllerRoutes, { prefix: '/api' });
  app.register(alarmRoutes, { prefix: '/api' });
  app.register(rigIoPlugin, { config: options.rigIo, binding });
  app.register(docsRoutes, { prefix: '/api' });

  const retention = options.retention;
  let pruneTimer: ReturnType<Clock['setTimeout']> | undefined;
  const DAY_MS = 86_400_000;
  function prune(): void {
    if (!retention) return;
    const now = clock.now();
    const done = store.prune(
      retention.readingsDays !== undefined ? now - retention.readingsDays * DAY_MS : undefined,
      retention.eventsDays !== undefined ? now - retention.eventsDays * DAY_MS : undefined,
    );
    if (done.readings + done.events > 0) store.events.add({ atMs: now, kind: 'store.pruned', detail: { ...done, retention } });
    pruneTimer = clock.setTimeout(prune, retention.everyMs ?? 3_600_000);
  }

  app.addHook('onReady', async () => {
    prune();
    await devices.start();
  });
  app.addHook('onClose', async () => {
    if (pruneTimer) clock.clearTimeout(pruneTimer);
    await devices.close();
    store.close();
  });
  return app;
}
