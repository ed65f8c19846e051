/**
 * The dashboard in a real browser (Debian's headless Chromium driven by playwright-core) against a real
 * bench: host firmware on a PTY, the bridge, socket.io. The page must show each board's numbers and
 * change them as readings arrive, and its valve buttons must reach the board.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPlugin } from '../../dashboards/index.js';
import { HilBench } from '../../rig/index.js';
import { ManualTicker } from '../helpers/manual-ticker.js';

/** Where the tests leave what a person should be able to look at afterwards (git-ignored). */
const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

const CHROMIUM = process.env.CELLBENCH_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`dashboard browser tests skipped: no Chromium at ${CHROMIUM} (\`cellbench setup\` installs Debian's chromium; CELLBENCH_CHROMIUM points elsewhere)`);
}


describe.skipIf(!haveChromium)('dashboard page in headless Chromium', () => {
  let dir: string;
  let bench: HilBench;
  let browser: Browser;
  let page: Page;
  const ticker = new ManualTicker();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-web-'));
    bench = new HilBench({
      cells: [
        { serialNumber: 'GB-0001', plant: { seed: 1 } },
        { serialNumber: 'GB-0002', plant: { seed: 2 } },
      ],
      runDir: join(dir, 'run'),
      dbPath: join(dir, 'bench.sqlite'),
      port: 0,
      periodMs: 100,
      timeScale: 600,
      ticker,
      bridgePlugins: [dashboardPlugin],
    });
    await bench.start();
    bench.bridge!.app.devices.on('reading', () => ticker.tick());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(bench.url);
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await bench?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows a card per board with live O2, CO2 and temperature', async () => {
    await page.locator('#link[data-state="live"]').waitFor();
    for (const id of ['GB-0001', 'GB-0002']) {
      const card = page.locator(`article[data-device-id="${id}"]`);
      await card.locator('.state', { hasText: 'open' }).waitFor();
      await expect.poll(() => card.locator('.o2').textContent()).toMatch(/^\d+\.\d\d$/);
      expect(await card.locator('.co2').textContent()).toMatch(/^\d+\.\d\d\d$/);
      expect(await card.locator('.temp').textContent()).toMatch(/^-?\d+\.\d\d$/);
    }
    // Kept as an artifact for a person to look at (CI can upload test-results/): what the page showed.
    const shot = join(ARTIFACTS, 'dashboard-live-page.png');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(10_000); // a rendered page, not an empty image
  });

  it('updates the numbers as new readings arrive', async () => {
    const card = page.locator('article[data-device-id="GB-0001"]');
    const seq0 = Number(await card.locator('.seq').textContent());
    await page.waitForFunction(
      (seq) => Number(document.querySelector('article[data-device-id="GB-0001"] .seq')?.textContent) >= seq + 3,
      seq0,
    );
    const seq1 = Number(await card.locator('.seq').textContent());
    expect(seq1).toBeGreaterThanOrEqual(seq0 + 3);
  });

  it('opens the N2 valve of a board from its button and shows the ACK', async () => {
    const card = page.locator('article[data-device-id="GB-0002"]');
    await card.locator('button[data-valve="n2"][data-on="true"]').click();
    await card.locator('.command-result[data-ok="true"]', { hasText: 'ACK' }).waitFor();
    await expect.poll(() => bench.cells[1]!.plant.actuators.n2).toBe(true);
    expect(bench.cells[0]!.plant.actuators.n2).toBe(false);
  });
});
