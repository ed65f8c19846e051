/**
 * What people report about a cell: its door, its sensors' calibration and the calibration-gas bottle, and
 * handheld control measurements compared with the sensor. These feed the alarms (the person-safety alarm,
 * calibration due, bottle low, drift) but are the cell's records, not alarm routes.
 */

import type { FastifyInstance } from 'fastify';
import { BridgeError, errorBodySchema } from '../errors.js';
import { parseEventTime } from './devices.js';
import { cellParams, nullableNumber, security, time, writeErrors } from './route-schemas.js';

/** Every board the bench knows: identified in this run, or stored from an earlier one. */
export function knownDeviceIds(app: FastifyInstance): string[] {
  return app.devices.ids().concat(app.store.devices.ids());
}

/** A function that answers 404 for a cell the bench does not know. */
export function cellCheck(app: FastifyInstance): (cellId: string) => void {
  return (cellId) => {
    const known = app.cells.list(knownDeviceIds(app)).map((c) => c.id);
    if (!known.includes(cellId) && !app.store.readings.hasCell(cellId)) throw new BridgeError('BRIDGE_ERR_NOT_FOUND', 404, `no cell "${cellId}"`);
  };
}

export async function cellRoutes(app: FastifyInstance): Promise<void> {
  const cellOr404 = cellCheck(app);

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
      app.events.publish({ kind: 'cell', change: { cellId: req.params.cellId, change: 'door' } });
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
      // Kept as the cell's record, so the due date outlives a restart (the alarm engine reloads it).
      app.store.cellRecords.add({
        cellId: req.params.cellId, kind: 'calibration', body: { calibratedAtMs: at, dueAtMs }, atMs: at, enteredBy: req.actor?.name ?? 'unknown', enteredAtMs: app.clock.now(),
      });
      app.events.publish({ kind: 'cell', change: { cellId: req.params.cellId, change: 'calibration' } });
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
      const deviceIds = app.cells.devicesOf(cellId, knownDeviceIds(app));
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
