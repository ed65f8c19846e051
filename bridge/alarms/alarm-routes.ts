/**
 * Alarm routes: the list, acknowledging, the person-safety alarm's reset, and a cell's alarm thresholds.
 * What people report about a cell (door, calibration, bottle, control measurements) is in
 * routes/cell-routes.ts.
 */

import type { FastifyInstance } from 'fastify';
import { BridgeError, errorBodySchema } from '../errors.js';
import { cellParams, nullableNumber, security, writeErrors } from '../routes/route-schemas.js';
import { ALARM_KINDS } from './alarm-engine.js';
import { cellCheck } from '../routes/cell-routes.js';

export const alarmSchema = {
  type: 'object',
  required: ['id', 'cellId', 'deviceId', 'kind', 'severity', 'state', 'raisedAtMs', 'clearedAtMs', 'ackedAtMs', 'ackedBy', 'value', 'threshold', 'message'],
  properties: {
    id: { type: 'integer' },
    cellId: { type: 'string' },
    deviceId: { type: ['string', 'null'] },
    kind: { type: 'string', enum: [...ALARM_KINDS] },
    code: { type: ['string', 'null'], description: "a controller alarm's code (kind 'controller'); null otherwise" },
    severity: { type: 'string', enum: ['warning', 'critical', 'safety'] },
    state: { type: 'string', enum: ['active', 'cleared'] },
    raisedAtMs: { type: 'integer', description: 'reading time that raised it' },
    clearedAtMs: { type: ['integer', 'null'] },
    ackedAtMs: { type: ['integer', 'null'] },
    ackedBy: { type: ['string', 'null'] },
    value: nullableNumber,
    threshold: nullableNumber,
    message: { type: 'string' },
  },
} as const;

export async function alarmRoutes(app: FastifyInstance): Promise<void> {
  const cellOr404 = cellCheck(app);

  app.get<{ Querystring: { state?: 'active' | 'all'; cell?: string } }>(
    '/alarms',
    {
      schema: {
        summary: 'Alarms, newest first (active ones by default)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { state: { type: 'string', enum: ['active', 'all'], default: 'active' }, cell: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: { type: 'object', required: ['alarms'], properties: { alarms: { type: 'array', items: alarmSchema } } }, 400: errorBodySchema },
      },
    },
    async (req) => ({ alarms: app.alarms.list({ state: req.query.state ?? 'active', ...(req.query.cell ? { cellId: req.query.cell } : {}) }) }),
  );

  app.post<{ Params: { id: number } }>(
    '/alarms/:id/ack',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Acknowledge an alarm (operator). The person-safety alarm cannot be acknowledged while active (409 BRIDGE_ERR_ALARM_SAFETY).',
        security,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 200: alarmSchema, 404: errorBodySchema, 409: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => app.alarms.acknowledge(req.params.id, req.actor?.name ?? 'unknown', app.clock.now()),
  );

  app.post<{ Params: { id: number } }>(
    '/alarms/:id/reset',
    {
      config: { role: 'operator' },
      schema: {
        summary:
          'Reset the latched person-safety alarm (operator): it clears only once a plausible O2 at or above the limit has been read since it was raised; while the door is open with O2 low or unknown, or no such O2 has been read, 409 BRIDGE_ERR_ALARM_SAFETY. Other alarms clear by themselves (400).',
        security,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 200: alarmSchema, 404: errorBodySchema, 409: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => app.alarms.reset(req.params.id, req.actor?.name ?? 'unknown', app.clock.now()),
  );

  const thresholdProps = {
    o2LowKpa: { type: 'number', minimum: 0, maximum: 25 },
    o2HighKpa: { type: 'number', minimum: 0, maximum: 25 },
    co2HighKpa: { type: 'number', minimum: 0, maximum: 25 },
    tempLowC: { type: 'number', minimum: -20, maximum: 50 },
    tempHighC: { type: 'number', minimum: -20, maximum: 50 },
    staleAfterMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 },
    driftO2Kpa: { type: 'number', exclusiveMinimum: 0, maximum: 25 },
    driftCo2Kpa: { type: 'number', exclusiveMinimum: 0, maximum: 25 },
    driftTempC: { type: 'number', exclusiveMinimum: 0, maximum: 20 },
    calGasLowBar: { type: 'number', minimum: 0, maximum: 300 },
    hysteresisO2Kpa: { type: 'number', minimum: 0, maximum: 5 },
    hysteresisCo2Kpa: { type: 'number', minimum: 0, maximum: 5 },
    hysteresisTempC: { type: 'number', minimum: 0, maximum: 5 },
  } as const;
  const thresholdsSchema = { type: 'object', additionalProperties: false, properties: thresholdProps } as const;

  app.get<{ Params: { cellId: string } }>(
    '/cells/:cellId/alarm-thresholds',
    {
      schema: {
        summary: "A cell's alarm thresholds in force (its own over the bridge's defaults). The person-safety alarm has none: it cannot be configured away.",
        params: cellParams,
        response: { 200: thresholdsSchema, 404: errorBodySchema },
      },
    },
    async (req) => {
      cellOr404(req.params.cellId);
      return app.cells.alarmsOf(req.params.cellId);
    },
  );

  app.put<{ Params: { cellId: string }; Body: Record<string, number> }>(
    '/cells/:cellId/alarm-thresholds',
    {
      config: { role: 'admin' },
      schema: {
        summary: "Replace a cell's own alarm thresholds (admin); a threshold left out falls back to the default. Kept across restarts.",
        security,
        params: cellParams,
        body: thresholdsSchema,
        response: { 200: thresholdsSchema, 404: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const b = req.body;
      const pairs: Array<[string, string]> = [['o2LowKpa', 'o2HighKpa'], ['tempLowC', 'tempHighC']];
      for (const [low, high] of pairs) {
        if (b[low] !== undefined && b[high] !== undefined && b[low]! >= b[high]!) {
          throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "${low}" (${b[low]}) must be below "${high}" (${b[high]})`, { field: low });
        }
      }
      app.store.alarms.saveThresholds(cellId, b, app.clock.now(), req.actor?.name ?? 'unknown');
      app.cells.setAlarms(cellId, b);
      return app.cells.alarmsOf(cellId);
    },
  );
}
