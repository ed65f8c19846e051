/**
 * Schemas more than one group of routes uses, written once: nullable numbers, a cell's path parameter, the
 * security and error answers of a write, a time given in a body. (Plain shared objects rather than
 * `addSchema`/`$ref`: @fastify/swagger inlines them into the OpenAPI document either way, and every route
 * keeps a schema that reads on its own.)
 */

import { errorBodySchema } from '../errors.js';

export const nullableNumber = { type: ['number', 'null'] } as const;
export const cellParams = { type: 'object', required: ['cellId'], properties: { cellId: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
export const security = [{ bearer: [] }];
export const writeErrors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema };
export const time = { type: 'string', maxLength: 40, description: 'ISO 8601 or epoch ms; default: now' } as const;
