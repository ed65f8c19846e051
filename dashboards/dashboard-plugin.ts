/**
 * Serves the live-cells page from the bridge's own HTTP server: `/` is the page, `/dashboard/*` its
 * script and style. The script is TypeScript bundled with esbuild in memory when the plugin registers
 * (tens of milliseconds), so the page is always built from the sources next to it.
 *
 * The bridge sends every response with a content security policy (bridge/auth/browser-guard.ts:
 * `default-src 'self'`, same-origin scripts, styles, fetch and WebSocket, no framing), so the page keeps
 * its script and style in these files: no inline `<script>`, `<style>`, `style=` or `on...=` handlers.
 */

import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const clientDir = join(dirname(fileURLToPath(import.meta.url)), 'client');

/** Bundles the page's script; exported for tests that want to check the bundle builds. */
export async function bundleClient(): Promise<string> {
  const result = await build({
    entryPoints: [join(clientDir, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export async function dashboardPlugin(app: FastifyInstance): Promise<void> {
  const [html, css, js] = await Promise.all([
    readFile(join(clientDir, 'index.html'), 'utf8'),
    readFile(join(clientDir, 'style.css'), 'utf8'),
    bundleClient(),
  ]);
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get('/dashboard/app.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(js),
  );
  app.get('/dashboard/style.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').send(css),
  );
}
