/**
 * GET /api/docs is a structurally valid OpenAPI 3.1 document that lists every route the app has, each
 * with request and response schemas, and security on the routes that need a role.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../bridge/index.js';
import { ManualClock } from '../helpers/manual-clock.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

describe('OpenAPI document at /api/docs', () => {
  let app: FastifyInstance;
  let doc: Json;
  const routes: Array<{ method: string; url: string; role: string | undefined; body: boolean }> = [];

  beforeAll(async () => {
    app = buildApp({ dbPath: ':memory:', clock: new ManualClock() });
    // Plugins register when the app becomes ready, so this sees every route.
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) {
        if (m !== 'HEAD') {
          routes.push({ method: m.toLowerCase(), url: r.url, role: (r.config as { role?: string } | undefined)?.role, body: Boolean((r.schema as { body?: unknown } | undefined)?.body) });
        }
      }
    });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });

  afterAll(async () => {
    await app.close();
  });

  function resolve(ref: string): unknown {
    expect(ref.startsWith('#/')).toBe(true);
    return ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }

  function refsIn(node: unknown, out: string[] = []): string[] {
    if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') out.push(v);
        else refsIn(v, out);
      }
    }
    return out;
  }

  it('has the OpenAPI 3.1 top level: version, info, paths, bearer security scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(typeof doc.paths).toBe('object');
    expect((doc.components as Json).securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' } });
  });

  it('lists every route of the app, with its path parameters declared', () => {
    const paths = doc.paths as Record<string, Json>;
    const api = routes.filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThanOrEqual(8);
    for (const r of api) {
      const templ = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(paths[templ], `${r.method} ${templ}`).toBeDefined();
      const op = paths[templ]![r.method] as Json | undefined;
      expect(op, `${r.method} ${templ}`).toBeDefined();
      const params = ((op!.parameters ?? []) as Array<{ in: string; name: string; required?: boolean }>).filter((p) => p.in === 'path');
      for (const name of [...templ.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
        expect(params.find((p) => p.name === name), `path parameter ${name} of ${templ}`).toMatchObject({ required: true });
      }
    }
  });

  it('gives every operation a 2xx response with a schema, and security where a role is needed', () => {
    const paths = doc.paths as Record<string, Json>;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const responses = (op as Json).responses as Record<string, Json>;
        const ok = Object.keys(responses).filter((c) => /^2\d\d$/.test(c));
        expect(ok.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const code of ok) {
          if (code === '204') continue;
          const content = responses[code]!.content as Record<string, { schema?: unknown }> | undefined;
          // JSON everywhere, except the CSV export.
          const media = path.endsWith('.csv') ? 'text/csv' : 'application/json';
          expect(content?.[media]?.schema, `${method} ${path} ${code}`).toBeDefined();
        }
        const route = routes.find((r) => r.method === method && r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}') === path);
        if (route?.role) {
          expect((op as Json).security, `${method} ${path} needs ${route.role}`).toEqual([{ bearer: [] }]);
          expect(Object.keys(responses)).toEqual(expect.arrayContaining(['401', '403']));
        }
        if (route?.body) expect((op as Json).requestBody, `${method} ${path}`).toBeDefined();
        if (method === 'post' || method === 'put') expect(route, `${method} ${path} is a route of the app`).toBeDefined();
      }
    }
  });

  it('resolves every $ref inside the document', () => {
    for (const ref of refsIn(doc)) expect(resolve(ref), ref).toBeDefined();
  });
});
