/**
 * What a DCA controller needs from the bridge besides readings and commands (controller/contract.ts):
 *
 *  - `GET /api/cells/:id/status`: a cell's facts in one answer — its boards, door, calibration, leak test,
 *    loading, newest reading and active alarms;
 *  - `GET /api/cells/:id/readings`: a cell's readings over a time range, as JSON;
 *  - `PUT /api/cells/:id/leak-test`, `PUT /api/cells/:id/loading`, `POST /api/cells/:id/unloading`: what
 *    people record about the cell (operator), kept as the cell's records (store/cell-record-store.ts);
 *  - `GET`/`PUT /api/cells/:id/controller`: the controller's record of a cell (status, memory to resume from,
 *    the alarms it holds), so a restarted controller resumes where it was and dashboards show its state;
 *  - `GET /api/controller`: every cell's controller status.
 *
 * Every change is published on the event hub as a `cell` event (socket.io `cell`), so a controller learns of
 * a door, a loading or an unloading without polling.
 *
 * A controller's alarms are the bridge's alarms of kind `controller` with the controller's `code`; they are
 * raised and cleared by what the record lists. A controller cannot raise or clear a person-safety alarm:
 * that one is the bridge's own, judged from readings and the door, and the schema refuses severity 'safety'.
 */

import type { FastifyInstance } from 'fastify';
import { BridgeError, errorBodySchema } from '../errors.js';
import type { ReadingView } from '../events.js';
import { alarmSchema } from '../alarms/alarm-routes.js';
import type { CellRecordRow } from '../store/cell-record-store.js';
import { parseEventTime, parseReadingRange, readingSchema, readingsQuerySchema } from './devices.js';
import { cellCheck, knownDeviceIds } from './cell-routes.js';
import { cellParams, nullableNumber, security, time, writeErrors } from './route-schemas.js';

/** The DCA limit on leak area, cm² per 100 m³ of gross volume (DOMAIN.md §1). */
export const DCA_LEAK_LIMIT_CM2_PER_100M3 = 0.1;
/** Largest controller memory accepted, bytes of JSON. */
export const CONTROLLER_MEMORY_MAX_BYTES = 64 * 1024;
/** Discharge coefficient of a sharp-edged orifice, the convention of pressure-decay tests (DOMAIN.md §5). */
const LEAK_CD = 0.61;
const AIR_DENSITY_KG_PER_M3 = 1.29;
const STANDARD_PRESSURE_PA = 101_325;

const leakTestSchema = {
  type: 'object',
  required: ['method', 'leakAreaCm2', 'grossVolumeM3', 'freeVolumeM3', 'leakAreaCm2Per100M3', 'halfTimeMin', 'p0Pa', 'atMs', 'enteredBy'],
  properties: {
    method: { type: 'string', enum: ['pressure-decay', 'closed-cell'] },
    leakAreaCm2: { type: 'number' },
    grossVolumeM3: { type: 'number' },
    freeVolumeM3: { type: 'number' },
    leakAreaCm2Per100M3: { type: 'number', description: `the DCA limit is ${DCA_LEAK_LIMIT_CM2_PER_100M3}` },
    halfTimeMin: nullableNumber,
    p0Pa: nullableNumber,
    atMs: { type: 'integer' },
    enteredBy: { type: 'string' },
  },
} as const;

const lotSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'variety', 'tonnes', 'harvestDate'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64 },
    variety: { type: 'string', minLength: 1, maxLength: 64 },
    tonnes: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 },
    harvestDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' },
    orchard: { type: ['string', 'null'], maxLength: 128 },
  },
} as const;

const loadingSchema = {
  type: 'object',
  required: ['lots', 'totalTonnes', 'loadedAtMs', 'unloadedTonnes', 'lastUnloadingAtMs', 'enteredBy'],
  properties: {
    lots: { type: 'array', items: { ...lotSchema, required: ['id', 'variety', 'tonnes', 'harvestDate', 'orchard'] } },
    totalTonnes: { type: 'number' },
    loadedAtMs: { type: 'integer' },
    unloadedTonnes: { type: 'number' },
    lastUnloadingAtMs: { type: ['integer', 'null'] },
    enteredBy: { type: 'string' },
  },
} as const;

const controllerAlarmSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'severity', 'message'],
  properties: {
    code: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
    // Never 'safety': the person-safety alarm is the bridge's own.
    severity: { type: 'string', enum: ['warning', 'critical'] },
    message: { type: 'string', minLength: 1, maxLength: 500 },
    value: nullableNumber,
    threshold: nullableNumber,
  },
} as const;

const statusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['state', 'reason', 'o2SetpointKpa', 'co2SetpointKpa', 'breakPointO2Kpa', 'rq', 'atMs'],
  properties: {
    state: { type: 'string', minLength: 1, maxLength: 64 },
    reason: { type: 'string', maxLength: 500 },
    o2SetpointKpa: { type: ['number', 'null'], minimum: 0, maximum: 25 },
    co2SetpointKpa: { type: ['number', 'null'], minimum: 0, maximum: 25 },
    breakPointO2Kpa: { type: ['number', 'null'], minimum: 0, maximum: 25 },
    rq: { type: ['number', 'null'] },
    atMs: { type: 'integer', minimum: 0 },
  },
} as const;

const recordBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['controller', 'status', 'memory', 'alarms'],
  properties: {
    controller: { type: 'string', minLength: 1, maxLength: 64 },
    status: statusSchema,
    memory: { type: 'object', additionalProperties: true, description: `the controller's own JSON, at most ${CONTROLLER_MEMORY_MAX_BYTES} bytes` },
    alarms: { type: 'array', maxItems: 32, items: controllerAlarmSchema },
  },
} as const;

const storedRecordSchema = {
  type: 'object',
  required: ['cellId', 'controller', 'status', 'memory', 'alarms', 'updatedAtMs', 'updatedBy'],
  properties: {
    ...recordBodySchema.properties,
    cellId: { type: 'string' },
    updatedAtMs: { type: 'integer' },
    updatedBy: { type: 'string' },
  },
} as const;

interface LotBody {
  id: string;
  variety: string;
  tonnes: number;
  harvestDate: string;
  orchard?: string | null;
}

interface RecordBody {
  controller: string;
  status: { state: string; reason: string; o2SetpointKpa: number | null; co2SetpointKpa: number | null; breakPointO2Kpa: number | null; rq: number | null; atMs: number };
  memory: Record<string, unknown>;
  alarms: Array<{ code: string; severity: 'warning' | 'critical'; message: string; value?: number | null; threshold?: number | null }>;
}

const round = (x: number, digits: number): number => Number(x.toPrecision(digits));

/**
 * The equivalent leak area of a rigid room from its pressure-decay half time, m²: the orifice law's closed
 * form of DOMAIN.md §5, t½ = (2V / (p_atm · Cd · A)) · √(ρ/2) · (√p0 − √(p0/2)), solved for A. (The site's
 * side of the test; the simulator integrates the leak itself and has its own form, simulator/model/pressure-decay.ts.)
 */
export function leakAreaFromHalfTimeM2(freeVolumeM3: number, halfTimeS: number, p0Pa: number, cd = LEAK_CD, atmosphericPa = STANDARD_PRESSURE_PA, densityKgPerM3 = AIR_DENSITY_KG_PER_M3): number {
  return ((2 * freeVolumeM3) / (atmosphericPa * cd * halfTimeS)) * Math.sqrt(densityKgPerM3 / 2) * (Math.sqrt(p0Pa) - Math.sqrt(p0Pa / 2));
}

export async function controllerRoutes(app: FastifyInstance): Promise<void> {
  const cellOr404 = cellCheck(app);
  const by = (actor: { name: string } | undefined): string => actor?.name ?? 'unknown';
  const changed = (cellId: string, change: 'leak_test' | 'loading' | 'unloading' | 'controller'): void =>
    app.events.publish({ kind: 'cell', change: { cellId, change } });

  /** The loading in force with the unloadings since, as clients see it. */
  function loadingView(cellId: string): Record<string, unknown> | null {
    const loading = app.store.cellRecords.latest(cellId, 'loading');
    if (!loading) return null;
    const body = loading.body as { lots: LotBody[]; totalTonnes: number };
    const unloadings = app.store.cellRecords.after(cellId, 'unloading', loading.id);
    const unloadedTonnes = unloadings.reduce((s, u) => s + (u.body as { tonnes: number }).tonnes, 0);
    return {
      lots: body.lots.map((l) => ({ ...l, orchard: l.orchard ?? null })),
      totalTonnes: body.totalTonnes,
      loadedAtMs: loading.atMs,
      unloadedTonnes: round(unloadedTonnes, 12),
      lastUnloadingAtMs: unloadings.at(-1)?.atMs ?? null,
      enteredBy: loading.enteredBy,
    };
  }

  function leakTestView(row: CellRecordRow | undefined): Record<string, unknown> | null {
    return row ? { ...(row.body as object), atMs: row.atMs, enteredBy: row.enteredBy } : null;
  }

  /** The boards of a cell, each with its manifold cell number (null for a one-cell board). */
  function cellDevices(cellId: string): Array<{ deviceId: string; boardCell: number | null; kind: string | null; capabilities: string[] }> {
    const ids = new Set(app.cells.devicesOf(cellId, knownDeviceIds(app)));
    const views = new Map(app.devices.list().map((d) => [d.id, d]));
    return [...ids].sort().map((deviceId) => {
      let boardCell: number | null = null;
      for (let k = 1; k <= 8; k++) {
        if (app.cells.cellOf(deviceId, k) === cellId) {
          boardCell = k;
          break;
        }
      }
      const view = views.get(deviceId);
      // A board that measures one cell takes commands without `cell`; a manifold board needs it.
      const manifold = (view?.cellIds?.length ?? app.cells.cellsOfDevice(deviceId).length) > 1 || (boardCell ?? 1) > 1;
      return { deviceId, boardCell: manifold ? boardCell : null, kind: view?.kind ?? null, capabilities: view?.capabilities ?? [] };
    });
  }

  app.get<{ Params: { cellId: string } }>(
    '/cells/:cellId/status',
    {
      schema: {
        summary: "A cell's facts for a controller: boards, door, calibration, leak test, loading, newest reading, active alarms",
        params: cellParams,
        response: {
          200: {
            type: 'object',
            required: ['cellId', 'devices', 'door', 'calibration', 'leakTest', 'loading', 'lastReading', 'alarms'],
            properties: {
              cellId: { type: 'string' },
              devices: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['deviceId', 'boardCell', 'kind', 'capabilities'],
                  properties: {
                    deviceId: { type: 'string' },
                    boardCell: { type: ['integer', 'null'] },
                    kind: { type: ['string', 'null'] },
                    capabilities: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
              door: { anyOf: [{ type: 'object', required: ['open', 'atMs'], properties: { open: { type: 'boolean' }, atMs: { type: 'integer' } } }, { type: 'null' }] },
              calibration: {
                anyOf: [{ type: 'object', required: ['calibratedAtMs', 'dueAtMs'], properties: { calibratedAtMs: { type: 'integer' }, dueAtMs: { type: 'integer' } } }, { type: 'null' }],
              },
              leakTest: { anyOf: [leakTestSchema, { type: 'null' }] },
              loading: { anyOf: [loadingSchema, { type: 'null' }] },
              lastReading: { anyOf: [readingSchema, { type: 'null' }] },
              alarms: { type: 'array', items: alarmSchema },
            },
          },
          404: errorBodySchema,
        },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const calibration = app.store.cellRecords.latest(cellId, 'calibration')?.body as { calibratedAtMs: number; dueAtMs: number } | undefined;
      return {
        cellId,
        devices: cellDevices(cellId),
        door: app.alarms.door(cellId),
        calibration: calibration ?? null,
        leakTest: leakTestView(app.store.cellRecords.latest(cellId, 'leak_test')),
        loading: loadingView(cellId),
        lastReading: (app.store.readings.latestOfCell(cellId) as ReadingView | undefined) ?? null,
        alarms: app.alarms.list({ cellId }),
      };
    },
  );

  app.get<{ Params: { cellId: string }; Querystring: { from?: string; to?: string; limit?: number } }>(
    '/cells/:cellId/readings',
    {
      schema: {
        summary: "A cell's readings measured in [from, to], oldest first (page on with from = the last measuredAtMs + 1)",
        params: cellParams,
        querystring: readingsQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['cellId', 'fromMs', 'toMs', 'readings'],
            properties: { cellId: { type: 'string' }, fromMs: { type: 'integer' }, toMs: { type: ['integer', 'null'] }, readings: { type: 'array', items: readingSchema } },
          },
          400: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const { fromMs, toMs } = parseReadingRange(req.query);
      const readings = app.store.readings.queryCell(cellId, fromMs, toMs, req.query.limit ?? 1000);
      return { cellId, fromMs, toMs: toMs === Number.MAX_SAFE_INTEGER ? null : toMs, readings };
    },
  );

  app.put<{
    Params: { cellId: string };
    Body: { method: 'pressure-decay' | 'closed-cell'; grossVolumeM3: number; freeVolumeM3?: number; leakAreaCm2?: number; halfTimeMin?: number; p0Pa?: number; at?: string };
  }>(
    '/cells/:cellId/leak-test',
    {
      config: { role: 'operator' },
      schema: {
        summary: "Record the cell's airtightness test (operator): a pressure-decay half time, or a leak area estimated from closed-cell data",
        description:
          'With method "pressure-decay", give halfTimeMin and p0Pa (the gauge pressure the test started at); the equivalent leak area is ' +
          'computed with the orifice law (Cd 0.61, air at 1.29 kg/m³) unless leakAreaCm2 is given too. With "closed-cell", give leakAreaCm2. ' +
          `DCA needs at most ${DCA_LEAK_LIMIT_CM2_PER_100M3} cm² per 100 m³ of gross volume.`,
        security,
        params: cellParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['method', 'grossVolumeM3'],
          properties: {
            method: { type: 'string', enum: ['pressure-decay', 'closed-cell'] },
            grossVolumeM3: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 },
            freeVolumeM3: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 },
            leakAreaCm2: { type: 'number', minimum: 0, maximum: 10_000 },
            halfTimeMin: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 },
            p0Pa: { type: 'number', exclusiveMinimum: 0, maximum: 5_000 },
            at: time,
          },
        },
        response: { 200: leakTestSchema, 404: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const b = req.body;
      const freeVolumeM3 = b.freeVolumeM3 ?? b.grossVolumeM3;
      if (freeVolumeM3 > b.grossVolumeM3) {
        throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "freeVolumeM3" (${freeVolumeM3}) is larger than "grossVolumeM3" (${b.grossVolumeM3})`, { field: 'freeVolumeM3' });
      }
      let leakAreaCm2 = b.leakAreaCm2;
      if (b.method === 'pressure-decay') {
        for (const f of ['halfTimeMin', 'p0Pa'] as const) {
          if (b[f] === undefined) throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "${f}" is required for a pressure-decay test`, { field: f });
        }
        leakAreaCm2 ??= round(leakAreaFromHalfTimeM2(freeVolumeM3, b.halfTimeMin! * 60, b.p0Pa!) * 1e4, 4);
      } else if (leakAreaCm2 === undefined) {
        throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, 'body field "leakAreaCm2" is required for a closed-cell estimate', { field: 'leakAreaCm2' });
      }
      const atMs = parseEventTime(b.at, 'at', app.clock.now());
      const body = {
        method: b.method,
        leakAreaCm2,
        grossVolumeM3: b.grossVolumeM3,
        freeVolumeM3,
        leakAreaCm2Per100M3: round((leakAreaCm2 * 100) / b.grossVolumeM3, 4),
        halfTimeMin: b.halfTimeMin ?? null,
        p0Pa: b.p0Pa ?? null,
      };
      const row = app.store.cellRecords.add({ cellId, kind: 'leak_test', body, atMs, enteredBy: by(req.actor), enteredAtMs: app.clock.now() });
      changed(cellId, 'leak_test');
      return leakTestView(row);
    },
  );

  app.put<{ Params: { cellId: string }; Body: { lots: LotBody[]; at?: string } }>(
    '/cells/:cellId/loading',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Record what was loaded into the cell (operator): its lots, each one variety, orchard and harvest date',
        description: 'A new loading replaces the one in force (and its unloadings). The DCA loading rule (DOMAIN.md §1) is the controller\'s to check.',
        security,
        params: cellParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['lots'],
          properties: { lots: { type: 'array', minItems: 1, maxItems: 64, items: lotSchema }, at: time },
        },
        response: { 200: loadingSchema, 404: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const ids = new Set<string>();
      for (const [i, lot] of req.body.lots.entries()) {
        if (ids.has(lot.id)) throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "lots.${i}.id": lot "${lot.id}" is listed twice`, { field: `lots.${i}.id` });
        ids.add(lot.id);
        if (!Number.isFinite(Date.parse(`${lot.harvestDate}T00:00:00Z`))) {
          throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "lots.${i}.harvestDate" is not a date: "${lot.harvestDate}"`, { field: `lots.${i}.harvestDate` });
        }
      }
      const lots = req.body.lots.map((l) => ({ ...l, orchard: l.orchard ?? null }));
      const totalTonnes = round(lots.reduce((s, l) => s + l.tonnes, 0), 12);
      const atMs = parseEventTime(req.body.at, 'at', app.clock.now());
      app.store.cellRecords.add({ cellId, kind: 'loading', body: { lots, totalTonnes }, atMs, enteredBy: by(req.actor), enteredAtMs: app.clock.now() });
      changed(cellId, 'loading');
      return loadingView(cellId);
    },
  );

  app.post<{ Params: { cellId: string }; Body: { tonnes: number; at?: string } }>(
    '/cells/:cellId/unloading',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Record a partial unloading (operator): a partly unloaded cell cannot simply resume DCA',
        security,
        params: cellParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['tonnes'],
          properties: { tonnes: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 }, at: time },
        },
        response: { 200: loadingSchema, 404: errorBodySchema, 409: errorBodySchema, ...writeErrors },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const before = loadingView(cellId);
      if (!before) throw new BridgeError('BRIDGE_ERR_BAD_REQUEST', 409, `cell "${cellId}" has no loading recorded (PUT /api/cells/${cellId}/loading first)`);
      const left = (before.totalTonnes as number) - (before.unloadedTonnes as number);
      if (req.body.tonnes > left + 1e-9) {
        throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "tonnes" (${req.body.tonnes}) is more than the ${round(left, 6)} t left in cell "${cellId}"`, { field: 'tonnes' });
      }
      const atMs = parseEventTime(req.body.at, 'at', app.clock.now());
      app.store.cellRecords.add({ cellId, kind: 'unloading', body: { tonnes: req.body.tonnes }, atMs, enteredBy: by(req.actor), enteredAtMs: app.clock.now() });
      changed(cellId, 'unloading');
      return loadingView(cellId);
    },
  );

  app.get<{ Params: { cellId: string } }>(
    '/cells/:cellId/controller',
    {
      schema: {
        summary: "The controller's record of a cell (status, memory, alarms); record null when no controller saved one",
        params: cellParams,
        response: {
          200: { type: 'object', required: ['cellId', 'record'], properties: { cellId: { type: 'string' }, record: { anyOf: [storedRecordSchema, { type: 'null' }] } } },
          404: errorBodySchema,
        },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const row = app.store.controllerStates.get(cellId);
      return { cellId, record: row ? { ...(row.body as RecordBody), cellId, updatedAtMs: row.updatedAtMs, updatedBy: row.updatedBy } : null };
    },
  );

  app.put<{ Params: { cellId: string }; Body: RecordBody }>(
    '/cells/:cellId/controller',
    {
      config: { role: 'operator' },
      bodyLimit: CONTROLLER_MEMORY_MAX_BYTES + 16 * 1024,
      schema: {
        summary: "Save the controller's record of a cell (operator): its status and memory; the alarms listed are raised, its others cleared",
        description: `The controller's alarms are kind "controller" with their code; severity "warning" or "critical" (the person-safety alarm is the bridge's own). memory: at most ${CONTROLLER_MEMORY_MAX_BYTES} bytes of JSON.`,
        security,
        params: cellParams,
        body: recordBodySchema,
        response: {
          200: {
            type: 'object',
            required: ['cellId', 'updatedAtMs', 'raised', 'cleared'],
            properties: { cellId: { type: 'string' }, updatedAtMs: { type: 'integer' }, raised: { type: 'array', items: { type: 'string' } }, cleared: { type: 'array', items: { type: 'string' } } },
          },
          404: errorBodySchema,
          413: errorBodySchema,
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const { cellId } = req.params;
      cellOr404(cellId);
      const b = req.body;
      const memoryBytes = Buffer.byteLength(JSON.stringify(b.memory));
      if (memoryBytes > CONTROLLER_MEMORY_MAX_BYTES) {
        throw new BridgeError('BRIDGE_ERR_BODY_TOO_LARGE', 413, `body field "memory" is ${memoryBytes} bytes of JSON, more than ${CONTROLLER_MEMORY_MAX_BYTES}`, { field: 'memory' });
      }
      const codes = new Set<string>();
      for (const [i, a] of b.alarms.entries()) {
        if (codes.has(a.code)) throw new BridgeError('BRIDGE_ERR_BAD_BODY', 400, `body field "alarms.${i}.code": "${a.code}" is listed twice`, { field: `alarms.${i}.code` });
        codes.add(a.code);
      }
      const now = app.clock.now();
      const previous = app.store.controllerStates.get(cellId);
      app.store.controllerStates.put(cellId, b.controller, b.status.state, JSON.stringify(b), now, by(req.actor));
      const { raised, cleared } = app.alarms.setControllerAlarms(cellId, b.alarms, b.status.atMs);
      const prevStatus = (previous?.body as RecordBody | undefined)?.status;
      // Dashboards hear of a change of state or setpoint, not of every save of the same status.
      if (!prevStatus || prevStatus.state !== b.status.state || prevStatus.o2SetpointKpa !== b.status.o2SetpointKpa || prevStatus.reason !== b.status.reason) {
        changed(cellId, 'controller');
      }
      return { cellId, updatedAtMs: now, raised, cleared };
    },
  );

  app.get(
    '/controller',
    {
      schema: {
        summary: "Every cell's controller status, as last saved",
        response: {
          200: {
            type: 'object',
            required: ['cells'],
            properties: {
              cells: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['cellId', 'controller', 'status', 'alarms', 'updatedAtMs', 'updatedBy'],
                  properties: {
                    cellId: { type: 'string' },
                    controller: { type: 'string' },
                    status: statusSchema,
                    alarms: { type: 'array', items: controllerAlarmSchema },
                    updatedAtMs: { type: 'integer' },
                    updatedBy: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      cells: app.store.controllerStates.list().map((row) => {
        const body = row.body as RecordBody;
        return { cellId: row.cellId, controller: row.controller, status: body.status, alarms: body.alarms, updatedAtMs: row.updatedAtMs, updatedBy: row.updatedBy };
      }),
    }),
  );
}
