/**
 * API tokens, for admins: create (the token is in the answer, once), list (never the token), revoke.
 */

import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../auth/auth.js';
import { BridgeError, errorBodySchema } from '../errors.js';

const tokenSchema = {
  type: 'object',
  required: ['id', 'name', 'role', 'createdAtMs', 'lastUsedMs', 'revokedAtMs'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    createdAtMs: { type: 'integer' },
    lastUsedMs: { type: ['integer', 'null'] },
    revokedAtMs: { type: ['integer', 'null'] },
  },
} as const;

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema };
const security = [{ bearer: [] }];

export async function tokenRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: { name: string; role: Role } }>(
    '/tokens',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create a token (admin). The token is in this answer only; the bridge keeps its SHA-256.',
        security,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'role'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9 ._@-]+$' }, role: { type: 'string', enum: [...ROLES] } },
        },
        response: {
          201: { type: 'object', required: ['id', 'name', 'role', 'token'], properties: { id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string' }, token: { type: 'string' } } },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { id, token } = app.auth.createToken(req.body.name, req.body.role);
      app.store.events.add({ atMs: app.clock.now(), kind: 'auth.token_created', detail: { id, name: req.body.name, role: req.body.role, by: req.actor?.name ?? null } });
      return reply.status(201).send({ id, name: req.body.name, role: req.body.role, token });
    },
  );

  app.get(
    '/tokens',
    {
      config: { role: 'admin' },
      schema: { summary: 'List tokens (admin), without the tokens themselves', security, response: { 200: { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: tokenSchema } } }, ...errors } },
    },
    async () => ({ tokens: app.store.tokens.list() }),
  );

  app.delete<{ Params: { id: number } }>(
    '/tokens/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Revoke a token (admin)',
        security,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 204: { type: 'null' }, 404: errorBodySchema, ...errors },
      },
    },
    async (req, reply) => {
      if (!app.store.tokens.revoke(req.params.id, app.clock.now())) {
        throw new BridgeError('BRIDGE_ERR_TOKEN_NOT_FOUND', 404, `no live token with id ${req.params.id}`);
      }
      app.store.events.add({ atMs: app.clock.now(), kind: 'auth.token_revoked', detail: { id: req.params.id, by: req.actor?.name ?? null } });
      return reply.status(204).send();
    },
  );
}
