/**
 * Alarms and what feeds them from people: the list, acknowledging, the cell door, calibration,
 * the calibration-gas bottle, and manual control measurements compared with the sensor.
 */

import type { FastifyInstance } from 'fastify';
import { BridgeError, errorBodySchema } from '../errors.js';
import { parseEventTime } from '../routes/devices.js';
import { ALARM_KINDS } from './alarm-engine.js';

const nullableNumber = { type: ['number', 'null'] } as const;

export const alarmSchema = {
  type: 'object',
  required: ['id', 'cellId', 'deviceId', 'kind', 'severity', 'state', 'raisedAtMs', 'clearedAtMs', 'ackedAtMs', 'ackedBy', 'value', 'threshold', 'message'],
  properties: {
    id: { type: 'integer' },
    cellId: { type: 'string' },
    deviceId: { type: ['string', 'null'] },
    kind: { type: 'string', enum: [...ALARM_KINDS] },
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

const cellParams = { type: 'object', required: ['cellId'], properties: { cellId: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const security = [{ bearer: [] }];
const writeErrors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema };
const time = { type: 'string', maxLength: 40, description: 'ISO 8601 or epoch ms; default: now' } as const;

export async function alarmRoutes(app: FastifyInstance): Promise<void> {
  const knownCells = (): string[] => app.cells.list(app.devices.list().map((d) => d.id).concat(app.store.devices.ids())).map((c) => c.id);
  function cellOr404(cellId: string): void {
    if (!knownCells().includes(cellId)) throw new BridgeError('BRIDGE_ERR_NOT_FOUND', 404, `no cell "${cellId}"`);
  }

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

  app.put<{ Params: { cellId: string }; Body: { open: boolean; at?: string } }>(
    '/cells/:cellId/door',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'The cell door opened or closed (operator; the rig door switch reports the same)',
        security,
        params: cellParams,
        body: { type: 'object', additionalProperties: false, required: ['open'], properties: { open: { type: 'boolean' }, at: time } },
        response: { 200: { type: 'object', required: ['cellId', 'open'], properties: { cellId: { type: 'string' }, open: { type: 'boolean' } } }, 404: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => {
      cellOr404(req.params.cellId);
      app.alarms.setDoor(req.params.cellId, req.body.open, parseEventTime(req.body.at, 'at', app.clock.now()));
      return { cellId: req.params.cellId, open: req.body.open };
    },
  );

  app.put<{ Params: { cellId: string }; Body: { calibratedAt?: string; intervalDays: number } }>(
    '/cells/:cellId/calibration',
    {
      config: { role: 'operator' },
      schema: {
        summary: "Record the cell analyser's calibration (operator): due again after intervalDays",
        security,
        params: cellParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['intervalDays'],
          properties: { calibratedAt: time, intervalDays: { type: 'number', exclusiveMinimum: 0, maximum: 3650 } },
        },
        response: { 200: { type: 'object', required: ['cellId', 'dueAtMs'], properties: { cellId: { type: 'string' }, dueAtMs: { type: 'integer' } } }, 404: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => {
      cellOr404(req.params.cellId);
      const at = parseEventTime(req.body.calibratedAt, 'calibratedAt', app.clock.now());
      const dueAtMs = Math.round(at + req.body.intervalDays * 86_400_000);
      app.alarms.setCalibration(req.params.cellId, at, dueAtMs);
      return { cellId: req.params.cellId, dueAtMs };
    },
  );

  app.put<{ Params: { cellId: string }; Body: { bottleBar: number; at?: string } }>(
    '/cells/:cellId/cal-gas',
    {
      config: { role: 'operator' },
      schema: {
        summary: "Record the calibration-gas bottle's pressure (operator)",
        security,
        params: cellParams,
        body: { type: 'object', additionalProperties: false, required: ['bottleBar'], properties: { bottleBar: { type: 'number', minimum: 0, maximum: 400 }, at: time } },
        response: { 200: { type: 'object', required: ['cellId', 'bottleBar'], properties: { cellId: { type: 'string' }, bottleBar: { type: 'number' } } }, 404: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => {
      cellOr404(req.params.cellId);
      app.alarms.setCalGasBottle(req.params.cellId, req.body.bottleBar, parseEventTime(req.body.at, 'at', app.clock.now()));
      return { cellId: req.params.cellId, bottleBar: req.body.bottleBar };
    },
  );

  const manualSchema = {
    type: 'object',
    required: ['id', 'cellId', 'deviceId', 'measuredAtMs', 'o2Kpa', 'co2Kpa', 'tempC', 'sensorSeq', 'sensorO2Kpa', 'sensorCo2Kpa', 'sensorTempC', 'enteredBy', 'enteredAtMs', 'note'],
    properties: {
      id: { type: 'integer' },
      cellId: { type: 'string' },
      deviceId: { type: ['string', 'null'] },
      measuredAtMs: { type: 'integer' },
      o2Kpa: nullableNumber,
      co2Kpa: nullableNumber,
      tempC: nullableNumber,
      sensorSeq: { type: ['integer', 'null'] },
      sensorO2Kpa: nullableNumber,
      sensorCo2Kpa: nullableNumber,
      sensorTempC: nullableNumber,
      enteredBy: { type: 'string' },
      enteredAtMs: { type: 'integer' },
      note: { type: ['string', 'null'] },
    },
  } as const;

  app.post<{ Params: { cellId: string }; Body: { measuredAt?: string; o2Kpa?: number; co2Kpa?: number; tempC?: number; note?: string } }>(
    '/cells/:cellId/manual-measurements',
    {
      config: { role: 'operator' },
      schema: {
        summary: "A handheld control measurement (operator), compared with the cell sensor's reading at that moment",
        security,
        params: cellParams,
        body: {
          type: 'object',
          additionalProperties: false,
          anyOf: [{ required: ['o2Kpa'] }, { required: ['co2Kpa'] }, { required: ['tempC'] }],
          properties: {
            measuredAt: time,
            o2Kpa: { type: 'number', minimum: 0, maximum: 110 },
            co2Kpa: { type: 'number', minimum: 0, maximum: 110 },
            tempC: { type: 'number', minimum: -40, maximum: 60 },
            note: { type: 'string', maxLength: 500 },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['measurement', 'difference', 'drifted'],
            properties: {
              measurement: manualSchema,
              difference: { type: 'object', required: ['o2Kpa', 'co2Kpa', 'tempC'], properties: { o2Kpa: nullableNumber, co2Kpa: nullableNumber, tempC: nullableNumber } },
              drifted: { type: 'array', items: { type: 'string' } },
            },
          },
          404: errorBodySchema,
          409: errorBodySchema,
          ...writeErrors,
        },
      },
    },
    async (req, reply) => {
      const cellId = req.params.cellId;
      cellOr404(cellId);
      const at = parseEventTime(req.body.measuredAt, 'measuredAt', app.clock.now());
      const deviceIds = app.cells.devicesOf(cellId, app.devices.list().map((d) => d.id).concat(app.store.devices.ids()));
      const sensor = deviceIds.map((d) => app.store.readings.at(d, at, cellId)).filter((r) => r !== undefined).sort((a, b) => b.measuredAtMs - a.measuredAtMs)[0];
      if (!sensor) {
        throw new BridgeError('BRIDGE_ERR_NO_SENSOR_READING', 409, `cell "${cellId}" has no stored reading at or before ${new Date(at).toISOString()} to compare with`);
      }
      const manual = { o2Kpa: req.body.o2Kpa ?? null, co2Kpa: req.body.co2Kpa ?? null, tempC: req.body.tempC ?? null };
      const enteredBy = req.actor?.name ?? 'unknown';
      const m = {
        cellId, deviceId: sensor.deviceId, measuredAtMs: at, ...manual, sensorSeq: sensor.seq,
        sensorO2Kpa: sensor.o2Kpa, sensorCo2Kpa: sensor.co2Kpa, sensorTempC: sensor.tempC, enteredBy, enteredAtMs: app.clock.now(), note: req.body.note ?? null,
      };
      const id = app.store.runs.addManualMeasurement(m);
      const { drifted, ...difference } = app.alarms.compareManual(cellId, at, manual, sensor);
      return reply.status(201).send({ measurement: { id, ...m }, difference, drifted });
    },
  );

  app.get<{ Params: { cellId: string } }>(
    '/cells/:cellId/manual-measurements',
    {
      schema: {
        summary: "A cell's manual control measurements with the sensor values they were compared with",
        params: cellParams,
        response: { 200: { type: 'object', required: ['measurements'], properties: { measurements: { type: 'array', items: manualSchema } } }, 404: errorBodySchema },
      },
    },
    async (req) => {
      cellOr404(req.params.cellId);
      return { measurements: app.store.runs.manualMeasurements(req.params.cellId) };
    },
  );
}
