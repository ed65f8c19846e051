/**
 * Builds the bridge as a Fastify app without listening: tests call `app.inject()`, and only server.ts
 * listens. Ports are opened when the app becomes ready and everything opened is closed in `onClose`.
 */

import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { autoDetect } from '@serialport/bindings-cpp';
import type { Binding } from './devices/binding.js';
import { systemClock, type Clock } from './clock.js';
import { DeviceManager, type PortConfig } from './devices/device-manager.js';
import { BridgeError, type BridgeErrorCode, type ErrorBody } from './errors.js';
import { realtime } from './realtime.js';
import { deviceRoutes } from './routes/devices.js';
import { SqliteStore } from './store/sqlite-store.js';

export interface BridgeOptions {
  /** Serial ports to open, one board each. Default: none. */
  ports?: PortConfig[];
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
  /** Largest request body in bytes. Default 16384. */
  bodyLimitBytes?: number;
  /** Fastify's logger option. Default false. */
  logger?: boolean | { level: string };
}

declare module 'fastify' {
  interface FastifyInstance {
    devices: DeviceManager;
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
    404: 'Not Found',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
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
  const devices = new DeviceManager({
    ports: options.ports ?? [],
    binding: options.binding ?? autoDetect(),
    clock,
    store,
    ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
  });
  app.decorate('clock', clock);
  app.decorate('store', store);
  app.decorate('devices', devices);

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

  devices.on('rejected', (path, code, detail) => app.log.warn({ path, code }, detail));
  app.register(realtime);
  app.register(deviceRoutes, { prefix: '/api' });

  app.addHook('onReady', async () => {
    await devices.start();
  });
  app.addHook('onClose', async () => {
    await devices.close();
    store.close();
  });
  return app;
}
