/**
 * Builds the bridge as a Fastify app without listening: tests call `app.inject()`, and only server.ts
 * listens. Ports are opened when the app becomes ready and everything opened is closed in `onClose`.
 */

import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { autoDetect } from '@serialport/bindings-cpp';
import type { Binding } from './devices/binding.js';
import { systemClock, type Clock } from './clock.js';
import { DeviceManager, type DiscoveryOptions, type PortConfig } from './devices/device-manager.js';
import { BridgeError, type BridgeErrorCode, type ErrorBody } from './errors.js';
import { authPlugin, type AuthOptions } from './auth/auth.js';
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
import { SqliteStore } from './store/sqlite-store.js';

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
    devices: DeviceManager;
    cells: CellMap;
    store: SqliteStore;
    clock: Clock;
  }
}

/** Maps Fastify's own error codes to ours, so a client never has to know Fastify's. */
function toErrorBody(err: FastifyError): ErrorBody {
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
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { statusCode: 413, code: 'BRIDGE_ERR_BODY_TOO_LARGE', error: 'Payload Too Large', message: err.message };
  }
  if (err.code?.startsWith('FST_ERR_CTP_') || (err.statusCode === 400 && err.code !== undefined)) {
    const statusCode = err.statusCode ?? 400;
    return { statusCode, code: 'BRIDGE_ERR_BAD_BODY', error: statusText(statusCode), message: err.message };
  }
  return { statusCode: 500, code: 'BRIDGE_ERR_INTERNAL', error: 'Internal Server Error', message: 'internal error; see the bridge log' };
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    413: 'Payload Too Large',
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
    // Unknown fields are an error the client should hear about, not something to drop in silence.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
  });
  const clock = options.clock ?? systemClock;
  const store = new SqliteStore(options.dbPath ?? '.cellbench/bench.sqlite');
  const cells = new CellMap(options.cells, options.defaultAlarms);
  // Thresholds an admin set at run time outlive restarts and win over the configured ones.
  for (const t of store.cellThresholds()) cells.setAlarms(t.cellId, t.config);
  const binding = options.binding ?? autoDetect();
  const devices = new DeviceManager({
    cellOf: (id) => cells.cellOf(id),
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
  app.decorate('cells', cells);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const body = toErrorBody(err);
    if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
    void reply.status(body.statusCode).send(body);
  });
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
  app.register(authPlugin, { ...(options.auth ?? {}), store, now: () => clock.now() });
  app.register(alarmsPlugin, { ...(options.notifications ? { notifications: options.notifications } : {}) });
  app.register(realtime);
  app.register(deviceRoutes, { prefix: '/api' });
  app.register(tokenRoutes, { prefix: '/api' });
  app.register(storeRoutes, { prefix: '/api' });
  app.register(historyRoutes, { prefix: '/api' });
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
    if (done.readings + done.events > 0) store.event({ atMs: now, kind: 'store.pruned', detail: { ...done, retention } });
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
