/**
 * What happened to a board's readings, from the store: its power-ups (as the bench decided them), its
 * sequence gaps (open: to be replayed; lost: the board no longer had them), the conflicts (a reading that
 * collided with a different stored one), and the event log (links, power-ups, replays, gaps, alarms' door
 * reports, pruning). These are the records behind "nothing lost": a reading that is not in the store is
 * accounted for here.
 */

import type { FastifyInstance } from 'fastify';
import { SERIAL_NUMBER_MAX_CHARS } from '../../firmware/protocol/index.js';
import { BridgeError, errorBodySchema } from '../errors.js';
import { idParams } from './devices.js';

const nullableInteger = { type: ['integer', 'null'] } as const;

const gapSchema = {
  type: 'object',
  required: ['id', 'deviceId', 'boot', 'fromSeq', 'toSeq', 'state', 'reason', 'detectedAtMs', 'closedAtMs'],
  properties: {
    id: { type: 'integer' },
    deviceId: { type: 'string' },
    boot: { type: 'integer', description: "the bench's power-up number" },
    fromSeq: { type: 'integer' },
    toSeq: { type: 'integer', description: 'inclusive' },
    state: { type: 'string', enum: ['open', 'lost'] },
    reason: { type: ['string', 'null'] },
    detectedAtMs: { type: 'integer' },
    closedAtMs: nullableInteger,
  },
} as const;

const powerUpSchema = {
  type: 'object',
  required: ['deviceId', 'powerUp', 'boardBoot', 'boardBootLast', 'state', 'startedAtMs', 'detectedAtMs', 'reason'],
  properties: {
    deviceId: { type: 'string' },
    powerUp: { type: 'integer', description: "the bench's number; readings' `boot`" },
    boardBoot: { ...nullableInteger, description: 'the boot counter the board reported' },
    boardBootLast: { ...nullableInteger, description: 'for a lost range of board boots, the last one' },
    state: { type: 'string', enum: ['seen', 'lost'] },
    startedAtMs: { ...nullableInteger, description: 'bridge time the board powered up (estimated)' },
    detectedAtMs: { type: 'integer' },
    reason: { type: 'string' },
  },
} as const;

const conflictSchema = {
  type: 'object',
  required: ['id', 'deviceId', 'boot', 'seq', 'detectedAtMs', 'stored', 'received', 'resolution'],
  properties: {
    id: { type: 'integer' },
    deviceId: { type: 'string' },
    boot: { type: 'integer' },
    seq: { type: 'integer' },
    detectedAtMs: { type: 'integer' },
    stored: { type: 'object', additionalProperties: true, description: 'the reading already in the store' },
    received: { type: 'object', additionalProperties: true, description: 'the reading that collided with it' },
    resolution: { type: 'string' },
  },
} as const;

const eventSchema = {
  type: 'object',
  required: ['id', 'atMs', 'deviceId', 'path', 'kind', 'detail'],
  properties: {
    id: { type: 'integer' },
    atMs: { type: 'integer' },
    deviceId: { type: ['string', 'null'] },
    path: { type: ['string', 'null'] },
    kind: { type: 'string', description: 'link.*, power_up.*, readings.*, reading.*, device.*, cell.*, store.*' },
    detail: { type: 'object', additionalProperties: true },
  },
} as const;

export async function historyRoutes(app: FastifyInstance): Promise<void> {
  function knownDevice(id: string): string {
    if (app.devices.get(id) || app.store.devices.ids().includes(id)) return id;
    throw new BridgeError('BRIDGE_ERR_DEVICE_NOT_FOUND', 404, `no device "${id}"`);
  }

  app.get<{ Params: { id: string }; Querystring: { state?: 'open' | 'lost' } }>(
    '/devices/:id/gaps',
    {
      schema: {
        summary: "A device's sequence gaps: open (to be replayed) and lost (with the reason)",
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: ['open', 'lost'] } } },
        response: {
          200: { type: 'object', required: ['gaps'], properties: { gaps: { type: 'array', items: gapSchema } } },
          404: errorBodySchema,
        },
      },
    },
    async (req) => ({ gaps: app.store.readings.gaps(knownDevice(req.params.id), req.query.state) }),
  );

  app.get<{ Params: { id: string } }>(
    '/devices/:id/power-ups',
    {
      schema: {
        summary: "A device's power-ups as the bench decided them, with the board's boot counter and the reason",
        params: idParams,
        response: {
          200: { type: 'object', required: ['powerUps'], properties: { powerUps: { type: 'array', items: powerUpSchema } } },
          404: errorBodySchema,
        },
      },
    },
    async (req) => ({ powerUps: app.store.devices.powerUps(knownDevice(req.params.id)) }),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/devices/:id/conflicts',
    {
      schema: {
        summary: 'Readings that collided with a different stored reading, newest first',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } } },
        response: {
          200: { type: 'object', required: ['conflicts'], properties: { conflicts: { type: 'array', items: conflictSchema } } },
          404: errorBodySchema,
        },
      },
    },
    async (req) => ({ conflicts: app.store.readings.conflicts(knownDevice(req.params.id), req.query.limit ?? 1000) }),
  );

  app.get<{ Querystring: { device?: string; kind?: string; before?: number; limit?: number } }>(
    '/events',
    {
      schema: {
        summary: 'The event log, newest first: links, power-ups, replays, gaps, conflicts',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            device: { type: 'string', minLength: 1, maxLength: SERIAL_NUMBER_MAX_CHARS },
            kind: { type: 'string', minLength: 1, maxLength: 40, description: 'a kind or its prefix: "link.", "power_up.new"' },
            before: { type: 'integer', minimum: 1, description: 'only events with a smaller id (to page back)' },
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
          },
        },
        response: {
          200: { type: 'object', required: ['events'], properties: { events: { type: 'array', items: eventSchema } } },
        },
      },
    },
    async (req) => ({
      events: app.store.events.list({
        ...(req.query.device !== undefined ? { deviceId: req.query.device } : {}),
        ...(req.query.kind !== undefined ? { kindPrefix: req.query.kind } : {}),
        ...(req.query.before !== undefined ? { beforeId: req.query.before } : {}),
        limit: req.query.limit ?? 100,
      }),
    }),
  );
}
