/**
 * What a web browser may do with the bench. Browsers are the one client that carries other people's
 * intentions: any page the user visits can send requests to 127.0.0.1, open a WebSocket to it (no
 * same-origin rule applies to WebSockets), or point a name of its own at it (DNS rebinding). So:
 *
 * - A local-only bench (always the open bench; tokens and read-only mode with `auth.localOnly`) answers an
 *   HTTP request or a socket.io handshake only when its `Host` is a loopback name or address (`localhost`,
 *   127.0.0.0/8, `[::1]`, any port) and its `Origin`, when it has one, is an http(s) origin on one of
 *   those. No Origin (curl, a native client, a same-origin GET) is fine; `Origin: null` (a sandboxed or
 *   file: page) is not. Refusals are 403 `BRIDGE_ERR_BAD_HOST` / `BRIDGE_ERR_BAD_ORIGIN`, naming the header.
 * - Every response carries a content security policy (the dashboard needs only its own scripts, styles and
 *   same-origin fetch and WebSocket; `connect-src 'self'` covers ws: to the same host and port), forbids
 *   framing (`frame-ancestors 'none'`, and `X-Frame-Options` for older browsers) and MIME sniffing.
 *
 * Tokens mode does not check Origin or Host by default: every write needs a bearer token, which a browser
 * never adds on its own, so a foreign page cannot write; reads are what `protectReads` is for. Such a
 * bench is usually reached by a name the bridge cannot know (a host name, a reverse proxy), and a client
 * that sends its token cross-origin has chosen to.
 */

import { isIPv4 } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { BridgeError } from '../errors.js';

/** Whether a host name or address (IPv6 with or without brackets) only reaches this machine. */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  const v6 = /^\[(.+)\]$/.exec(h)?.[1] ?? h;
  if (!v6.includes(':')) return false;
  try {
    // The URL parser normalises the spellings of ::1 (0:0:0:0:0:0:0:1, ...).
    return new URL(`http://[${v6}]/`).hostname === '[::1]';
  } catch {
    return false;
  }
}

const WHERE = 'localhost, 127.0.0.0/8 or [::1]';

/** The refusal for a `Host` header that is not a loopback name with an optional port; undefined when fine. */
export function refusedHost(host: string | undefined): BridgeError | undefined {
  if (host === undefined || host === '') {
    return new BridgeError('BRIDGE_ERR_BAD_HOST', 403, `the request has no Host header; this bench answers only requests to ${WHERE}`, {
      field: 'host',
    });
  }
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host);
  if (m && isLoopbackHostname(m[1]!)) return undefined;
  return new BridgeError(
    'BRIDGE_ERR_BAD_HOST',
    403,
    `Host "${host.slice(0, 100)}" is not a loopback name; this bench answers only requests to ${WHERE} (a page that reaches it under another name may be a DNS-rebinding attack)`,
    { field: 'host' },
  );
}

/** The refusal for an `Origin` header that is not an http(s) origin on a loopback host; undefined when fine. */
export function refusedOrigin(origin: string | undefined): BridgeError | undefined {
  if (origin === undefined) return undefined;
  let ok = false;
  try {
    const url = new URL(origin);
    ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin.toLowerCase() && isLoopbackHostname(url.hostname);
  } catch {
    ok = false;
  }
  if (ok) return undefined;
  return new BridgeError(
    'BRIDGE_ERR_BAD_ORIGIN',
    403,
    `Origin "${origin.slice(0, 100)}" is not a loopback origin; this bench takes browser requests only from pages served on ${WHERE}, so that another site's page cannot drive it`,
    { field: 'origin' },
  );
}

/** The refusal for a request or handshake to a local-only bench, Host first; undefined when fine. */
export function refusedBrowserRequest(headers: IncomingHttpHeaders): BridgeError | undefined {
  const origin = headers.origin;
  return refusedHost(headers.host) ?? refusedOrigin(Array.isArray(origin) ? origin.join(',') : origin);
}

/** The content security policy of every response: what the dashboard page needs, and no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export interface BrowserGuardOptions {
  /** Check Host and Origin of every request (the open bench, or `auth.localOnly`). */
  localOnly: boolean;
}

/**
 * The hooks: Host and Origin on every request of a local-only bench (onRequest, before authentication),
 * and the security headers on every response. socket.io handshakes are checked in realtime.ts.
 */
export const browserGuard = fp(
  async (app: FastifyInstance, opts: BrowserGuardOptions) => {
    if (opts.localOnly) {
      app.addHook('onRequest', async (request) => {
        const refused = refusedBrowserRequest(request.headers);
        if (refused) throw refused;
      });
    }
    app.addHook('onSend', async (_request, reply) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        if (!reply.hasHeader(name)) void reply.header(name, value);
      }
    });
  },
  { name: 'cellbench-browser-guard' },
);
