/**
 * The rig I/O board in the app: opened when the app is ready, closed with it; door-switch inputs feed
 * the person-safety alarm of their cell; routes to read it and to work its relays.
 */

import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Binding } from '../devices/binding.js';
import { BridgeError, errorBodySchema } from '../errors.js';
import { RigIoBoard } from './rig-io-board.js';

export interface RigIoConfig {
  path: string;
  /** Default 57600. */
  baudRate?: number;
  relays: Record<string, number>;
  inputs: Record<string, number>;
  /** Input name → cell: a door switch (true = open) that feeds that cell's safety alarm. */
  doors?: Record<string, string>;
  /** Default: the bridge's binding. */
  binding?: Binding;
}

declare module 'fastify' {
  interface FastifyInstance {
    rigIo: RigIoBoard | undefined;
  }
}

export const rigIoPlugin = fp(
  async (app: FastifyInstance, opts: { config: RigIoConfig | undefined; binding: Binding }) => {
    app.decorate('rigIo', undefined);
    const cfg = opts.config;
    if (cfg) {
      app.addHook('onReady', async () => {
        const rig = await RigIoBoard.open({
          path: cfg.path,
          binding: cfg.binding ?? opts.binding,
          clock: app.clock,
          relays: cfg.relays,
          inputs: cfg.inputs,
          ...(cfg.baudRate ? { baudRate: cfg.baudRate } : {}),
        });
        app.rigIo = rig;
        rig.on('input', (name, value) => {
          const now = app.clock.now();
          app.store.events.add({ atMs: now, path: cfg.path, kind: 'rig.input', detail: { name, value } });
          const cellId = cfg.doors?.[name];
          if (cellId) {
            app.alarms.setDoor(cellId, value, now);
            app.events.publish({ kind: 'cell', change: { cellId, change: 'door' } });
          }
        });
        rig.on('lost', (reason) => app.store.events.add({ atMs: app.clock.now(), path: cfg.path, kind: 'rig.lost', detail: { reason } }));
      });
      app.addHook('onClose', async () => {
        await app.rigIo?.close();
      });
    }

    function rigOr503(): RigIoBoard {
      if (!app.rigIo) throw new BridgeError('BRIDGE_ERR_DEVICE_NOT_OPEN', 409, 'no rig I/O board is configured or open');
      return app.rigIo;
    }
    const state = {
      type: 'object',
      required: ['relays', 'inputs'],
      properties: {
        relays: { type: 'object', additionalProperties: { type: 'boolean' } },
        inputs: { type: 'object', additionalProperties: { type: ['boolean', 'null'] } },
      },
    } as const;
    const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
    const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };

    app.get('/api/rig', { schema: { summary: "The rig I/O board's relays and inputs", response: { 200: state, 409: errorBodySchema } } }, async () => rigOr503().state());

    app.put<{ Params: { name: string }; Body: { closed: boolean } }>(
      '/api/rig/relays/:name',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Close or open a rig relay (operator)',
          security: [{ bearer: [] }],
          params: nameParams,
          body: { type: 'object', additionalProperties: false, required: ['closed'], properties: { closed: { type: 'boolean' } } },
          response: { 200: state, ...errors },
        },
      },
      async (req) => {
        const rig = rigOr503();
        rig.setRelay(req.params.name, req.body.closed);
        app.store.events.add({ atMs: app.clock.now(), kind: 'rig.relay', detail: { name: req.params.name, closed: req.body.closed, by: req.actor?.name ?? null } });
        return rig.state();
      },
    );

    app.post<{ Params: { name: string }; Body: { offMs: number } }>(
      '/api/rig/relays/:name/power-cycle',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Open a power relay for offMs, then close it again (operator); answers when it is closed again',
          security: [{ bearer: [] }],
          params: nameParams,
          body: { type: 'object', additionalProperties: false, required: ['offMs'], properties: { offMs: { type: 'integer', minimum: 100, maximum: 600_000 } } },
          response: { 200: state, ...errors },
        },
      },
      async (req) => {
        const rig = rigOr503();
        app.store.events.add({ atMs: app.clock.now(), kind: 'rig.power_cycle', detail: { name: req.params.name, offMs: req.body.offMs, by: req.actor?.name ?? null } });
        await rig.powerCycle(req.params.name, req.body.offMs);
        return rig.state();
      },
    );
  },
  { name: 'cellbench-rig-io', dependencies: ['cellbench-alarms'] },
);
