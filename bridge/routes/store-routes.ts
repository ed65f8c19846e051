/**
 * The store as files and records: cells, CSV export of a cell's readings in a time range, and runs
 * (a named span of bench time, e.g. one test or one demo).
 */

import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { BridgeError, errorBodySchema } from '../errors.js';
import { parseTime } from './devices.js';
import { knownDeviceIds } from './cell-routes.js';

// `boot` is the bench's power-up number; `flags` (`;`-separated) marks a reading not to be used as real.
// `board_cell` is the board's manifold cell (empty when it sends none).
const CSV_HEADER = 'cell_id,device_id,boot,seq,measured_at,measured_at_ms,received_at_ms,o2_kpa,co2_kpa,temp_c,flags,board_cell\n';

function num(v: number | null): string {
  return v === null ? '' : String(v);
}

/** A text field as CSV (RFC 4180): quoted when it holds a comma, quote or line break. */
function text(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function storeRoutes(app: FastifyInstance): Promise<void> {
  /** The devices of a cell: by the configuration, and those whose readings were filed under it. */
  const devicesOfCell = (cellId: string): string[] => {
    const ids = new Set(app.cells.devicesOf(cellId, knownDeviceIds(app)));
    for (const c of app.store.readings.cellDevices()) if (c.cellId === cellId) ids.add(c.deviceId);
    return [...ids].sort();
  };

  app.get(
    '/cells',
    {
      schema: {
        summary: 'Every cell and the boards that measure it',
        response: {
          200: {
            type: 'object',
            required: ['cells'],
            properties: {
              cells: {
                type: 'array',
                items: { type: 'object', required: ['id', 'deviceIds'], properties: { id: { type: 'string' }, deviceIds: { type: 'array', items: { type: 'string' } } } },
              },
            },
          },
        },
      },
    },
    async () => {
      const listed = new Map(app.cells.list(knownDeviceIds(app)).map((c) => [c.id, new Set(c.deviceIds)]));
      for (const c of app.store.readings.cellDevices()) (listed.get(c.cellId) ?? listed.set(c.cellId, new Set()).get(c.cellId)!).add(c.deviceId);
      return { cells: [...listed].sort(([a], [b]) => a.localeCompare(b)).map(([id, devices]) => ({ id, deviceIds: [...devices].sort() })) };
    },
  );

  app.get<{ Params: { cellId: string }; Querystring: { from?: string; to?: string } }>(
    '/cells/:cellId/readings.csv',
    {
      schema: {
        summary: "A cell's stored readings in a time range (by time measured, inclusive) as CSV",
        params: { type: 'object', required: ['cellId'], properties: { cellId: { type: 'string', minLength: 1, maxLength: 64 } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', maxLength: 40, description: 'ISO 8601 or epoch ms; default: the beginning' },
            to: { type: 'string', maxLength: 40, description: 'ISO 8601 or epoch ms; default: no upper bound' },
          },
        },
        response: {
          200: { description: 'CSV, one reading a line, oldest first', content: { 'text/csv': { schema: { type: 'string' } } } },
          400: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const deviceIds = devicesOfCell(req.params.cellId);
      if (deviceIds.length === 0) throw new BridgeError('BRIDGE_ERR_NOT_FOUND', 404, `no cell "${req.params.cellId}"`);
      const fromMs = parseTime(req.query.from, 'from', 0);
      const toMs = parseTime(req.query.to, 'to', Number.MAX_SAFE_INTEGER);
      if (toMs < fromMs) throw new BridgeError('BRIDGE_ERR_BAD_QUERY', 400, `query field "to" (${toMs}) is before "from" (${fromMs})`, { field: 'to' });
      const cellId = text(req.params.cellId);
      const rows = app.store.readings.iterateCell(req.params.cellId, app.cells.devicesOf(req.params.cellId, knownDeviceIds(app)), fromMs, toMs);
      // Streamed a row at a time: a season of readings never sits in memory at once.
      const body = Readable.from(
        (function* () {
          yield CSV_HEADER;
          for (const r of rows) {
            yield `${cellId},${text(r.deviceId)},${r.boot},${r.seq},${new Date(r.measuredAtMs).toISOString()},${r.measuredAtMs},${r.receivedAtMs},${num(r.o2Kpa)},${num(r.co2Kpa)},${num(r.tempC)},${(r.flags ?? []).join(';')},${num(r.boardCell)}\n`;
          }
        })(),
      );
      const safe = req.params.cellId.replace(/[^A-Za-z0-9._-]/g, '_');
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${safe}-readings.csv"`).send(body);
    },
  );

  const runSchema = {
    type: 'object',
    required: ['id', 'name', 'startedAtMs', 'endedAtMs', 'startedBy', 'detail'],
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      startedAtMs: { type: 'integer' },
      endedAtMs: { type: ['integer', 'null'] },
      startedBy: { type: ['string', 'null'] },
      detail: { type: 'object', additionalProperties: true },
    },
  } as const;
  const authErrors = { 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema };

  app.get('/runs', { schema: { summary: 'Runs, newest first', response: { 200: { type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: runSchema } } } } } }, async () => ({
    runs: app.store.runs.list(),
  }));

  app.post<{ Body: { name: string; detail?: Record<string, unknown> } }>(
    '/runs',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Start a run (operator)',
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 120 }, detail: { type: 'object', additionalProperties: true, maxProperties: 32 } },
        },
        response: { 201: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } }, 400: errorBodySchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const id = app.store.runs.start({ name: req.body.name, atMs: app.clock.now(), by: req.actor?.name ?? null, detail: req.body.detail ?? {} });
      return reply.status(201).send({ id });
    },
  );

  app.post<{ Params: { id: number } }>(
    '/runs/:id/end',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'End a run (operator)',
        security: [{ bearer: [] }],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 204: { type: 'null' }, 404: errorBodySchema, ...authErrors },
      },
    },
    async (req, reply) => {
      if (!app.store.runs.end(req.params.id, app.clock.now())) throw new BridgeError('BRIDGE_ERR_NOT_FOUND', 404, `no running run with id ${req.params.id}`);
      return reply.status(204).send();
    },
  );
}
