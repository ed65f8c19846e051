/**
 * REST routes for devices: list, one device, its stored readings in a time range, and commands.
 * Schema-first: every request and response has a JSON schema.
 */

import type { FastifyInstance } from 'fastify';
import { SERIAL_NUMBER_MAX_CHARS } from '../../firmware/protocol/index.js';
import { nullableNumber } from './route-schemas.js';
import { checkCapable, commandBodySchema, commandOf, type CommandBody } from '../devices/command-body.js';
import { BridgeError, errorBodySchema } from '../errors.js';
import type { DeviceView, ReadingView } from '../events.js';


export const readingSchema = {
  type: 'object',
  required: ['deviceId', 'seq', 'boardMs', 'measuredAtMs', 'receivedAtMs', 'o2Kpa', 'co2Kpa', 'tempC'],
  properties: {
    deviceId: { type: 'string' },
    seq: { type: 'integer' },
    boardMs: { type: 'integer' },
    measuredAtMs: { type: 'integer', description: 'when the board measured, epoch ms' },
    receivedAtMs: { type: 'integer', description: 'when the bridge received the line, epoch ms' },
    o2Kpa: nullableNumber,
    co2Kpa: nullableNumber,
    tempC: nullableNumber,
    flags: {
      type: 'array',
      items: { type: 'string', enum: ['o2_impossible', 'co2_impossible', 'temp_impossible', 'time_future'] },
      description: 'why the reading is not to be used as real (empty: plausible); see bridge/README.md',
    },
    cellId: { type: 'string', description: 'the bench cell whose gas was measured' },
    boardCell: { type: ['integer', 'null'], description: "the board's manifold cell (RD's cell), null when it sends none" },
  },
} as const;

export const deviceSchema = {
  type: 'object',
  required: ['id', 'cellId', 'kind', 'firmwareVersion', 'protocolVersion', 'capabilities', 'path', 'state', 'counters', 'lastReading'],
  properties: {
    id: { type: 'string', description: "the board's serial number" },
    cellId: { type: 'string', description: 'the cell the board measures (with a manifold: its cell 1)' },
    cellIds: { type: 'array', items: { type: 'string' }, description: 'every cell the board measures' },
    kind: { type: 'string' },
    firmwareVersion: { type: 'string' },
    protocolVersion: { type: 'integer' },
    capabilities: { type: 'array', items: { type: 'string' } },
    path: { type: 'string' },
    state: { type: 'string', enum: ['opening', 'identifying', 'open', 'silent', 'lost', 'closed'] },
    powerUp: { type: 'integer', description: "the bench's power-up number the readings are filed under now" },
    boardBoot: { type: ['integer', 'null'], description: 'the boot counter the board reported in its last ID' },
    counters: {
      type: 'object',
      required: ['frames', 'stored', 'rejected', 'boardErrors'],
      properties: {
        frames: { type: 'integer' },
        stored: { type: 'integer' },
        rejected: { type: 'integer' },
        boardErrors: { type: 'integer' },
        flagged: { type: 'integer', description: 'readings stored flagged as impossible' },
        conflicts: { type: 'integer', description: 'readings that collided with a different stored one' },
        lostReadings: { type: 'integer', description: 'readings recorded lost (gaps the board could not replay)' },
        powerUps: { type: 'integer', description: 'power-ups the bench filed readings under' },
        lostPowerUps: { type: 'integer', description: 'ranges of board boots the bench never saw' },
      },
    },
    lastReading: { anyOf: [readingSchema, { type: 'null' }] },
  },
} as const;

/** A device is its serial number (firmware/protocol/board-facts.ts). */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: SERIAL_NUMBER_MAX_CHARS } },
} as const;

const MAX_LIMIT = 10_000;

/** The latest time the API takes: the end of ISO 8601's four-digit years. */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** How far after the bench clock a time something happened may be (a handheld's or client's clock running ahead). */
export const FUTURE_SLACK_MS = 15 * 60_000;

export interface TimeLimits {
  /** Where the value came from, for the code (BRIDGE_ERR_BAD_QUERY or _BAD_BODY) and the message. Default 'query'. */
  part?: 'query' | 'body';
  /** The bench clock: with it, a time more than `futureSlackMs` after it is refused. Default: no such limit. */
  nowMs?: number;
  /** Default FUTURE_SLACK_MS (15 min). */
  futureSlackMs?: number;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/i;

/** Days in `month` (1-12) of `year`: day 0 of the next month is the last day of this one. */
function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/**
 * Epoch ms of an ISO 8601 date-time whose every part is real (no 2026-02-30, no 24:00 or 12:60), or
 * undefined. Date.parse alone is not enough: it rolls 2026-02-30 over into March. Without a zone the time
 * is the bridge's local time, as Date.parse reads it.
 */
function isoDateTime(value: string): number | undefined {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = m[8];
  if (zone === undefined) {
    const local = new Date(year, month - 1, day, hour, minute, second, ms);
    local.setFullYear(year);
    return local.getTime();
  }
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const [oh, om] = zone.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  utc.setUTCFullYear(year);
  return utc.getTime() - offsetMin * 60_000;
}

/**
 * A time from a request: an ISO 8601 date-time ('2026-11-21T12:00:00Z', a real calendar date) or epoch
 * milliseconds ('1795000000000'), between 1970 and 9999; with `limits.nowMs`, at most `futureSlackMs`
 * after it. Errors are 400 naming the field (BRIDGE_ERR_BAD_QUERY, or _BAD_BODY for `part: 'body'`).
 */
export function parseTime(value: string | undefined, fieldName: string, fallback: number, limits: TimeLimits = {}): number {
  if (value === undefined || value === '') return fallback;
  const part = limits.part ?? 'query';
  const refuse = (why: string): BridgeError =>
    new BridgeError(part === 'query' ? 'BRIDGE_ERR_BAD_QUERY' : 'BRIDGE_ERR_BAD_BODY', 400, `${part} field "${fieldName}" ${why}: "${value.slice(0, 40)}"`, {
      field: fieldName,
    });
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : isoDateTime(value);
  if (ms === undefined) {
    throw refuse('must be an ISO 8601 date-time with a real calendar date and time (e.g. 2026-11-21T12:00:00Z) or epoch milliseconds');
  }
  if (ms < 0) throw refuse('is before 1970-01-01');
  if (ms > MAX_TIME_MS) throw refuse('is after 9999-12-31');
  if (limits.nowMs !== undefined) {
    const slackMs = limits.futureSlackMs ?? FUTURE_SLACK_MS;
    if (ms > limits.nowMs + slackMs) {
      throw refuse(`is in the future: after the bench clock (${new Date(limits.nowMs).toISOString()}) by more than ${Math.round(slackMs / 60_000)} min`);
    }
  }
  return ms;
}

/** A body's time something happened (a door, a calibration, a measurement): default now, not in the future. */
export function parseEventTime(value: string | undefined, fieldName: string, nowMs: number): number {
  return parseTime(value, fieldName, nowMs, { part: 'body', nowMs });
}

/** The query of a readings route (a device's, a cell's): a measured-time range and a page size. */
export const readingsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', maxLength: 40, description: 'ISO 8601 or epoch ms, inclusive; default: the beginning' },
    to: { type: 'string', maxLength: 40, description: 'ISO 8601 or epoch ms, inclusive; default: no upper bound' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 1000 },
  },
} as const;

/**
 * A readings query's range, epoch ms; `to` Number.MAX_SAFE_INTEGER when open (no default upper bound at "now":
 * a board's clock may run a little ahead of the bridge's). 400 when `to` is before `from`.
 */
export function parseReadingRange(q: { from?: string; to?: string }): { fromMs: number; toMs: number } {
  const fromMs = parseTime(q.from, 'from', 0);
  const toMs = parseTime(q.to, 'to', Number.MAX_SAFE_INTEGER);
  if (toMs < fromMs) throw new BridgeError('BRIDGE_ERR_BAD_QUERY', 400, `query field "to" (${toMs}) is before "from" (${fromMs})`, { field: 'to' });
  return { fromMs, toMs };
}

export async function deviceRoutes(app: FastifyInstance): Promise<void> {
  function deviceOr404(id: string): DeviceView {
    const dev = app.devices.get(id);
    if (!dev) throw new BridgeError('BRIDGE_ERR_DEVICE_NOT_FOUND', 404, `no device "${id}"`);
    return dev;
  }

  app.get(
    '/devices',
    {
      schema: {
        summary: 'Every identified board',
        response: {
          200: { type: 'object', required: ['devices'], properties: { devices: { type: 'array', items: deviceSchema } } },
        },
      },
    },
    async () => ({ devices: app.devices.list() }),
  );

  app.get<{ Params: { id: string } }>(
    '/devices/:id',
    { schema: { params: idParams, response: { 200: deviceSchema, 404: errorBodySchema } } },
    async (req) => deviceOr404(req.params.id),
  );

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string; limit?: number } }>(
    '/devices/:id/readings',
    {
      schema: {
        params: idParams,
        querystring: readingsQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['deviceId', 'fromMs', 'toMs', 'readings'],
            properties: {
              deviceId: { type: 'string' },
              fromMs: { type: 'integer' },
              toMs: { type: ['integer', 'null'] },
              readings: { type: 'array', items: readingSchema },
            },
          },
          400: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (req) => {
      deviceOr404(req.params.id);
      const { fromMs, toMs } = parseReadingRange(req.query);
      const readings: ReadingView[] = app.store.readings.query({
        deviceId: req.params.id,
        fromMs,
        toMs,
        limit: req.query.limit ?? 1000,
      });
      return { deviceId: req.params.id, fromMs, toMs: toMs === Number.MAX_SAFE_INTEGER ? null : toMs, readings };
    },
  );

  app.post<{ Params: { id: string }; Body: CommandBody }>(
    '/devices/:id/commands',
    {
      config: { role: 'operator' },
      schema: {
        summary: "Send a command to a board (operator); waits for the board's ACK",
        description:
          '`{"op":"set_valve","valve":"n2"|"air"|"scrub"|"fan","on":true,"cell":2}` sets an actuator of a cell (`cell` 1–8 on a manifold board, default 1; retried after a timeout); ' +
          '`{"op":"setpoint","o2Kpa":1.5,"co2Kpa":1.2}` and `{"op":"loop","on":false}` set a palletunit\'s loop setpoints and hand its outputs to the host (or back to its loop); ' +
          'a command the board has no capability for is 409 BRIDGE_ERR_NOT_CAPABLE; ' +
          '`{"op":"cal","gas":"o2"|"co2","point":"zero"|"span"|"factory","ref":20.95}` calibrates a gas with the ' +
          'reference gas on the sensor (`ref` in kPa with at most 2 (o2) or 3 (co2) decimals, not with factory; ' +
          'never retried: a CAL stored twice counts twice). The ACK of a cal carries the board\'s calibration count.',
        security: [{ bearer: [] }],
        params: idParams,
        body: commandBodySchema(),
        response: {
          200: {
            type: 'object',
            required: ['commandId', 'outcome'],
            properties: {
              commandId: { type: 'integer' },
              outcome: { type: 'string', enum: ['ack'] },
              /** After a cal: the board's calibration count (PROTOCOL.md, "Calibration"). */
              cal: { type: 'integer' },
            },
          },
          400: errorBodySchema,
          401: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
          429: errorBodySchema,
          503: errorBodySchema,
          504: errorBodySchema,
        },
      },
    },
    async (req) => {
      const device = deviceOr404(req.params.id);
      const command = commandOf(req.body);
      checkCapable(device.id, device.kind, device.capabilities, command);
      const result = await app.devices.send(req.params.id, command, req.actor?.name);
      if (result.outcome === 'nak') {
        throw new BridgeError('BRIDGE_ERR_COMMAND_NAK', 409, `board "${req.params.id}" refused command id=${result.id}: ${result.code}`, {
          details: { commandId: result.id, boardCode: result.code },
        });
      }
      return { commandId: result.id, outcome: 'ack' as const, ...(result.outcome === 'ack' && result.cal !== undefined ? { cal: result.cal } : {}) };
    },
  );

  app.get<{ Querystring: { device?: string; limit?: number } }>(
    '/commands',
    {
      schema: {
        summary: 'The command audit log, newest first: every transmission and its outcome',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { device: { type: 'string', minLength: 1, maxLength: SERIAL_NUMBER_MAX_CHARS }, limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['commands'],
            properties: {
              commands: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'deviceId', 'op', 'args', 'sentAtMs', 'finishedAtMs', 'outcome', 'nakCode', 'retryOf', 'actor'],
                  properties: {
                    id: { type: 'integer' },
                    deviceId: { type: 'string' },
                    op: { type: 'string' },
                    args: { type: 'object', additionalProperties: true },
                    sentAtMs: { type: 'integer' },
                    finishedAtMs: { type: ['integer', 'null'] },
                    outcome: { type: ['string', 'null'], enum: ['ack', 'nak', 'timeout', 'lost', null] },
                    nakCode: { type: ['string', 'null'] },
                    retryOf: { type: ['integer', 'null'] },
                    actor: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          400: errorBodySchema,
        },
      },
    },
    async (req) => ({ commands: app.store.commands.list(req.query.device, req.query.limit ?? 100) }),
  );

  app.get(
    '/health',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            required: ['status', 'problems', 'ports', 'totals'],
            properties: {
              status: { type: 'string', enum: ['ok', 'degraded'] },
              problems: { type: 'array', items: { type: 'string' } },
              ports: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['path', 'state', 'deviceId'],
                  properties: { path: { type: 'string' }, state: { type: 'string' }, deviceId: { type: ['string', 'null'] } },
                },
              },
              totals: deviceSchema.properties.counters,
            },
          },
        },
      },
    },
    async () => {
      // "ok" only while every port has an identified board that talks: a board that went silent behind an
      // open port, a port that is lost, opening or identifying, are each named in `problems`.
      const ports = app.devices.ports();
      const problems = ports.filter((p) => p.state !== 'open').map((p) => `${p.deviceId ?? p.path} is "${p.state}"`);
      return { status: problems.length === 0 ? 'ok' : 'degraded', problems, ports, totals: app.devices.totals() };
    },
  );
}
