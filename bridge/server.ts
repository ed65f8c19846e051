/**
 * The one file that listens: builds the bridge app, lets the caller add plugins (the dashboard), and
 * binds it to a host and port. Loopback by default; an open bench (auth mode `open`, the default) may
 * only listen on a loopback address, so leaving the machine takes `auth: { mode: 'tokens' }` (or
 * the read-only demo mode). Listening on loopback is not enough on its own (any web page can send requests
 * to 127.0.0.1): the open bench also refuses foreign Host and Origin headers (auth/browser-guard.ts).
 */

import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { buildApp, type BridgeOptions } from './app.js';
import { BridgeError } from './errors.js';
import { isLoopbackHostname } from './auth/browser-guard.js';

export interface ServeOptions extends BridgeOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 8080. */
  port?: number;
  /** Plugins registered after the bridge's own routes, e.g. the dashboard. */
  plugins?: FastifyPluginAsync[];
}

export interface RunningBridge {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** Whether a host name or address only reaches this machine: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  return isLoopbackHostname(host);
}

export async function startBridge(options: ServeOptions = {}): Promise<RunningBridge> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if ((options.auth?.mode ?? 'open') === 'open' && !isLoopback(host)) {
    throw new BridgeError(
      'BRIDGE_ERR_NOT_LOOPBACK',
      500,
      `an open bench (no tokens) listens on loopback only, not on "${host}"; use auth mode "tokens" (cellbench bridge --auth tokens) or "read-only"`,
    );
  }
  const app = buildApp(options);
  for (const plugin of options.plugins ?? []) app.register(plugin);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close().catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new BridgeError('BRIDGE_ERR_INTERNAL', 500, `port ${port} on ${host} is already in use; stop what is using it or choose another with --port`);
    }
    throw err;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { app, url: `http://${urlHost}:${boundPort}`, close: () => app.close() };
}
