/**
 * The OpenAPI 3.1 document of every route, built by @fastify/swagger from the routes' own JSON schemas,
 * served at GET /api/docs. Registered before the routes so that it sees each one as it is added.
 */

import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export const openApi = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        // 3.1: its schemas are JSON Schema, so `type: ["number", "null"]` is valid as written.
        openapi: '3.1.0',
        info: {
          title: 'cellbench bridge',
          version: '1',
          description:
            'Boards, readings, commands, alarms and tokens of a cellbench bench. Errors are JSON with a BRIDGE_ERR_* code. ' +
            'Write routes need `Authorization: Bearer <token>` of the role named in their description (unless the bridge runs as an open bench). ' +
            'An open bench answers only requests whose Host is a loopback name and whose Origin, if any, is a loopback origin (403 BRIDGE_ERR_BAD_HOST / BRIDGE_ERR_BAD_ORIGIN).',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a cellbench API token (cbt_...)' } } },
      },
    });
  },
  { name: 'cellbench-openapi' },
);

export async function docsRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/docs',
    {
      schema: {
        summary: 'This OpenAPI document',
        response: { 200: { type: 'object', additionalProperties: true, required: ['openapi', 'info', 'paths'], properties: { openapi: { type: 'string' } } } },
      },
    },
    async () => app.swagger(),
  );
}
