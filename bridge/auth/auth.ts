/**
 * Who may do what: API tokens with roles viewer < operator < admin, kept in the store as SHA-256 hashes,
 * checked on every route that declares a role (`config: { role }`) and on every socket command.
 *
 * Why SHA-256 and not scrypt: the tokens are 256 random bits made by the bridge, not passwords a person
 * chose, so there is nothing to guess and a slow hash buys no safety; it would only cost CPU on every
 * request (a lever for denial of service). A fast hash still means a leaked database gives no usable token.
 *
 * Modes (the `auth.mode` setting):
 * - `tokens`: a valid token of a high enough role is needed on every write (and on reads with
 *   `protectReads`);
 * - `open`: the open bench: requests without a token act as the operator "open-bench"; only allowed on a
 *   loopback address (server.ts refuses anything else), and only for requests and socket.io handshakes
 *   with a loopback Host and, when they have one, a loopback Origin (browser-guard.ts). Admin routes still
 *   need an admin token;
 * - `read-only`: the demo mode: every write is refused with 403 BRIDGE_ERR_READ_ONLY, whoever asks.
 *
 * The role is checked in an `onRequest` hook, before the body is parsed or validated: an anonymous caller
 * learns nothing about a route's body (401, never 400/415).
 *
 * Failed attempts (no token or an unknown one, where a role is needed) are counted per client address with
 * @fastify/rate-limit; past `maxFailures` in `failureWindowMs` further failed attempts get 429
 * BRIDGE_ERR_RATE_LIMITED until the window passes. A valid token always passes: a known token of too low
 * a role is 403 and not counted, so a burst of bad guesses from an address never locks out its real users.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BridgeError } from '../errors.js';
import { browserGuard } from './browser-guard.js';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
export type AuthMode = 'tokens' | 'open' | 'read-only';

export interface AuthOptions {
  /** Default 'open' (with a loopback-only server, as before auth existed); `cellbench bridge` uses 'tokens'. */
  mode?: AuthMode;
  /** Tokens to accept besides those in the store (e.g. from a file); hashed at start, never stored in clear. */
  tokens?: Array<{ name: string; role: Role; token: string }>;
  /** Require a viewer token for reads (GET routes and socket connections) too. Default false. */
  protectReads?: boolean;
  /** Failed attempts per client address before 429. Default 10. */
  maxFailures?: number;
  /** Window over which failures are counted, in ms. Default 60000. */
  failureWindowMs?: number;
  /**
   * Answer only requests and socket.io handshakes with a loopback Host and (when present) a loopback Origin
   * (browser-guard.ts). Always true for the open bench (false there is an error); default false in tokens
   * and read-only mode.
   */
  localOnly?: boolean;
}

export interface Actor {
  name: string;
  role: Role;
  /** The token's id in the store; undefined for the open bench and configured tokens. */
  tokenId?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; no role: anyone may call it (unless reads are protected). */
    role?: Role;
  }
  interface FastifyRequest {
    actor: Actor | undefined;
  }
  interface FastifyInstance {
    auth: Authenticator;
    /** Failed attempts per client address (REST and socket alike). */
    authFailures: AuthFailures;
  }
}

const TOKEN_PREFIX = 'cbt_';

/** A new token: the prefix and 32 random bytes in base64url (43 characters). */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function rank(role: Role): number {
  return ROLES.indexOf(role);
}

/** The parts of the store the authenticator needs. */
/** What the authenticator needs of the token store (store/token-store.ts keeps it). */
interface TokenStore {
  add(t: { name: string; role: string; hash: string; atMs: number }): number;
  byHash(hash: string): { id: number; name: string; role: string } | undefined;
  touch(id: number, atMs: number): void;
}

export class Authenticator {
  readonly mode: AuthMode;
  readonly protectReads: boolean;
  /** Whether Host and Origin must be loopback ones (browser-guard.ts). */
  readonly localOnly: boolean;
  private readonly configured = new Map<string, { name: string; role: Role }>();
  private readonly store: TokenStore;
  private readonly now: () => number;

  constructor(options: AuthOptions, store: TokenStore, now: () => number) {
    this.mode = options.mode ?? 'open';
    if (!['tokens', 'open', 'read-only'].includes(this.mode)) throw new RangeError(`"auth.mode" must be tokens, open or read-only: "${this.mode}"`);
    this.protectReads = options.protectReads ?? false;
    if (this.mode === 'open' && options.localOnly === false) {
      throw new RangeError('"auth.localOnly" cannot be false for an open bench: without tokens, only pages served from this machine may drive it');
    }
    this.localOnly = this.mode === 'open' || options.localOnly === true;
    this.store = store;
    this.now = now;
    for (const t of options.tokens ?? []) {
      if (!ROLES.includes(t.role)) throw new RangeError(`token "${t.name}" has role "${t.role}"; roles are ${ROLES.join(', ')}`);
      if (t.token.length < 20) throw new RangeError(`token "${t.name}" is ${t.token.length} characters; use at least 20 random ones (cellbench makes 47)`);
      this.configured.set(hashToken(t.token), { name: t.name, role: t.role });
    }
  }

  /** Makes a token, stores its hash, and returns the token: the only time it is seen. */
  createToken(name: string, role: Role): { id: number; token: string } {
    if (!ROLES.includes(role)) throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `role must be one of ${ROLES.join(', ')}: "${role}"`, { field: 'role' });
    const token = newToken();
    const id = this.store.add({ name, role, hash: hashToken(token), atMs: this.now() });
    return { id, token };
  }

  /** The actor a token stands for, or undefined for an unknown or revoked one. */
  identify(token: string | undefined): Actor | undefined {
    if (!token) return undefined;
    const hash = hashToken(token);
    for (const [h, t] of this.configured) {
      if (timingSafeEqual(Buffer.from(h, 'hex'), Buffer.from(hash, 'hex'))) return { name: t.name, role: t.role };
    }
    const row = this.store.byHash(hash);
    if (!row || !ROLES.includes(row.role as Role)) return undefined;
    this.store.touch(row.id, this.now());
    return { name: row.name, role: row.role as Role, tokenId: row.id };
  }

  /**
   * Decides whether `token` may do something that needs `role`; returns the actor or throws the
   * BridgeError to answer with. `what` names the action for the message; `via` says where the client
   * gives its token (an HTTP header or the socket.io handshake), so that a refusal says what works.
   */
  authorize(token: string | undefined, role: Role | undefined, what: string, via: TokenVia = 'header'): Actor | undefined {
    const actor = this.identify(token);
    const needed = `${withArticle(role ?? 'viewer')} token`;
    const where = via === 'header' ? 'send "Authorization: Bearer <token>"' : "give it in the socket.io handshake's auth.token: io(url, { auth: { token } })";
    if (token && !actor) throw new BridgeError('BRIDGE_ERR_UNAUTHORIZED', 401, `the token is not known or was revoked; ${what} needs ${needed}`);
    if (role === undefined) return actor;
    if (this.mode === 'read-only' && rank(role) >= rank('operator')) {
      throw new BridgeError('BRIDGE_ERR_READ_ONLY', 403, `the bridge runs in read-only demo mode; ${what} is not allowed`);
    }
    if (actor) {
      if (rank(actor.role) < rank(role)) {
        throw new BridgeError('BRIDGE_ERR_FORBIDDEN', 403, `token "${actor.name}" has the ${actor.role} role; ${what} needs ${needed}`);
      }
      return actor;
    }
    if (this.mode === 'open' && rank(role) <= rank('operator')) return { name: 'open-bench', role: 'operator' };
    if (this.mode !== 'tokens' && role === 'viewer') return { name: 'anonymous', role: 'viewer' };
    throw new BridgeError('BRIDGE_ERR_UNAUTHORIZED', 401, `${what} needs ${needed}: ${where}`);
  }
}

/** Where a client gives its token: the `Authorization` header (REST) or the socket.io handshake's `auth.token`. */
export type TokenVia = 'header' | 'handshake';

/** "a viewer", "an operator", "an admin". */
function withArticle(role: Role): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

/** Whether a refusal is a failed attempt that counts towards the limit: no token or an unknown one. */
function isFailedAttempt(err: unknown): boolean {
  return err instanceof BridgeError && err.code === 'BRIDGE_ERR_UNAUTHORIZED';
}

export interface AuthFailures {
  /** True when the address has used up its failed attempts for now. */
  blocked(ip: string): Promise<boolean>;
  /** Counts one failed attempt. */
  fail(ip: string): Promise<void>;
  /**
   * `Authenticator.authorize` for a client at `ip`, with the failure limit: a valid token always passes;
   * a failed attempt is counted, or refused with 429 BRIDGE_ERR_RATE_LIMITED once the address has used up
   * its failed attempts.
   */
  authorize(ip: string, token: string | undefined, role: Role | undefined, what: string, via?: TokenVia): Promise<Actor | undefined>;
}

/** The token of a request: `Authorization: Bearer <token>`. */
export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S{1,200})\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

export interface AuthPluginOptions extends AuthOptions {
  store: TokenStore;
  now: () => number;
}

export const authPlugin = fp(
  async (app: FastifyInstance, opts: AuthPluginOptions) => {
    const auth = new Authenticator(opts, opts.store, opts.now);
    app.decorate('auth', auth);
    app.decorateRequest('actor', undefined);
    // Host and Origin first (a foreign page is refused before its token is looked at), then the role.
    await app.register(browserGuard, { localOnly: auth.localOnly });
    await app.register(rateLimit, { global: false });
    const failures = app.createRateLimit({
      max: opts.maxFailures ?? 10,
      timeWindow: opts.failureWindowMs ?? 60_000,
      keyGenerator: (req) => `auth-failures:${req.ip}`,
    });

    // The limiter reads only the address and the route's rate-limit group from a request.
    const asRequest = (ip: string) => ({ ip, routeOptions: { config: {} } }) as unknown as FastifyRequest;
    const authFailures: AuthFailures = {
      async blocked(ip) {
        const seen = await failures(asRequest(ip), { increment: false });
        return !seen.isAllowed && seen.remaining === 0;
      },
      async fail(ip) {
        await failures(asRequest(ip));
      },
      async authorize(ip, token, role, what, via = 'header') {
        try {
          return auth.authorize(token, role, what, via);
        } catch (err) {
          if (!isFailedAttempt(err)) throw err;
          const seen = await failures(asRequest(ip), { increment: false });
          if (!seen.isAllowed && seen.remaining === 0) {
            throw new BridgeError(
              'BRIDGE_ERR_RATE_LIMITED',
              429,
              `too many failed attempts from ${ip}; try again in ${seen.ttlInSeconds} s (a valid token is accepted meanwhile)`,
            );
          }
          await failures(asRequest(ip));
          throw err;
        }
      },
    };
    app.decorate('authFailures', authFailures);

    // onRequest, not preHandler: the route (and its config.role) is known, the body not yet parsed, so an
    // anonymous caller gets 401 before any 400/413/415 about a body.
    app.addHook('onRequest', async (request) => {
      let role = request.routeOptions.config?.role;
      if (role === undefined && auth.protectReads && request.url.startsWith('/api/')) role = 'viewer';
      if (role === undefined) {
        // Public route: note who it is when a good token came along; ignore a bad one.
        request.actor = auth.identify(bearer(request));
        return;
      }
      request.actor = await authFailures.authorize(request.ip, bearer(request), role, `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`);
    });
  },
  { name: 'cellbench-auth' },
);
