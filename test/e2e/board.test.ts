/**
 * The board in a real browser (Debian's Chromium via playwright-core) against the harness: what a
 * person in the room would see — the numbers, the red, the STALE banner — plus screenshots at
 * 1080p and 2160p in test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, startHarness, type Harness } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../test-artifacts');
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`e2e: skipped — ${CHROMIUM} is not installed (apt-get install chromium)`);

/** The value at an API.md path in the aggregates, with `staffing.<queue>.<hourIndex>.<field>` addressing rows. */
function valueAt(data: unknown, metric: string): unknown {
  const parts = metric.split('.');
  if (parts[0] === 'staffing') {
    const [, queue, hour, field] = parts;
    const rows = (data as { staffing: { queue: string; hourStart: string }[] }).staffing
      .filter((row) => row.queue === queue)
      .sort((a, b) => Date.parse(a.hourStart) - Date.parse(b.hourStart));
    return (rows[Number(hour)] as Record<string, unknown> | undefined)?.[field ?? ''];
  }
  let node: unknown = data;
  for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

async function renderedMetrics(page: Page): Promise<{ metric: string; value: string }[]> {
  return page.$$eval('[data-metric]', (elements) =>
    elements.map((element) => ({
      metric: element.getAttribute('data-metric') ?? '',
      value: element.getAttribute('data-value') ?? '',
    })),
  );
}

describe.skipIf(!hasChromium)('board in Chromium', () => {
  let browser: Browser;
  let harness: Harness;

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    harness = await startHarness();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  async function open(path: string, width = 1920, height = 1080): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${harness.url}${path}`);
    await page.waitForSelector('.board[data-connection="live"], .supervisor[data-connection="live"]', {
      timeout: 10_000,
    });
    return page;
  }

  it('should show every tile value equal to the snapshot, on every board', async () => {
    for (const board of ['overview', 'refunds', 'staffing']) {
      const page = await open(`/board?boards=${board}`);
      const metrics = await renderedMetrics(page);
      expect(metrics.length).toBeGreaterThan(10);
      for (const { metric, value } of metrics) {
        const expected = valueAt(harness.state.current, metric);
        expect(value, metric).toBe(expected === null || expected === undefined ? '' : String(expected));
      }
      await page.close();
    }
  });

  it('should carry the API.md paths named in the issue', async () => {
    const page = await open('/board?boards=overview');
    const metrics = new Set((await renderedMetrics(page)).map((entry) => entry.metric));
    for (const metric of [
      'chat.queues.presale.waiting',
      'chat.queues.aftersale.waiting',
      'chat.queues.aftersale.oldestWaitSec',
      'chat.queues.aftersale.unansweredOver30m',
      'refunds.awaitingResponse',
      'refunds.unansweredOver30m',
      'refunds.paths.return_refund.avgCompletionSec30d',
      'staffing.aftersale.0.gap',
      'staffing.refund.3.gap',
    ]) {
      expect(metrics.has(metric), metric).toBe(true);
    }
    await page.close();
  });

  it('should turn a tile red, with an icon, when something waits 30 minutes unanswered', async () => {
    const page = await open('/board?boards=overview');
    const metric = '[data-metric="chat.queues.aftersale.unansweredOver30m"]';
    expect(await page.getAttribute(metric, 'data-level')).toBe('ok');
    const next = structuredClone(harness.state.current);
    next.chat.queues['aftersale']!.unansweredOver30m = 3;
    next.refunds.unansweredOver30m = 1;
    harness.state.current = next;
    await page.waitForSelector(`${metric}[data-value="3"]`, { timeout: 5_000 });
    expect(await page.getAttribute(metric, 'data-level')).toBe('red');
    expect(await page.$eval(metric, (element) => element.querySelector('svg.icon-red') !== null)).toBe(true);
    const tileClass = await page.$eval(metric, (element) => element.closest('.tile')?.className ?? '');
    expect(tileClass).toContain('tile-red');
    const background = await page.$eval(
      metric,
      (element) => getComputedStyle(element.closest('.fact')!).backgroundColor,
    );
    expect(background).toBe('rgb(255, 71, 87)');
    expect(await page.getAttribute('[data-metric="refunds.unansweredOver30m"]', 'data-level')).toBe('red');
    await page.screenshot({ path: join(ARTIFACTS, 'board-red-1920x1080.png') });
    next.chat.queues['aftersale']!.unansweredOver30m = 0;
    next.refunds.unansweredOver30m = 0;
    harness.state.current = structuredClone(next);
    await page.waitForSelector(`${metric}[data-value="0"]`, { timeout: 5_000 });
    await page.close();
  });

  it('should let a red tile take over the rotation', async () => {
    const next = structuredClone(harness.state.current);
    next.refunds.unansweredOver30m = 2;
    // Only the refund desk is red: no staffing gap in the current hour.
    for (const row of next.staffing)
      if (Date.parse(row.hourStart) <= Date.parse(next.asOf)) row.gap = Math.min(row.gap, 0);
    const saved = harness.state.current;
    harness.state.current = next;
    const page = await open('/board?boards=staffing,refunds&rotate=3');
    await page.waitForSelector('.board[data-board="refunds"]', { timeout: 5_000 });
    expect(await page.$('[data-alarm="1"]')).not.toBeNull();
    await page.waitForTimeout(3_500);
    expect(await page.getAttribute('.board', 'data-board')).toBe('refunds');
    harness.state.current = saved;
    await page.close();
  });

  it('should render the Chinese labels with lang=zh-CN', async () => {
    const page = await open('/board?boards=overview&lang=zh-CN');
    const text = await page.textContent('.board');
    for (const label of [
      '售前',
      '售后',
      '未发货仅退款',
      '已发货仅退款',
      '已收货仅退款',
      '退货退款',
      '超 30 分钟未回复',
    ]) {
      expect(text, label).toContain(label);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'board-zh-CN-1920x1080.png') });
    await page.close();
  });

  for (const [width, height] of [
    [1920, 1080],
    [3840, 2160],
  ] as const) {
    it(`should fill ${width}×${height} without scrollbars`, async () => {
      for (const board of ['overview', 'refunds', 'staffing']) {
        const page = await open(`/board?boards=${board}`, width, height);
        await page.waitForTimeout(300); // let uPlot size itself to the laid-out tile
        const size = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          scrollHeight: document.documentElement.scrollHeight,
          innerWidth,
          innerHeight,
        }));
        expect(size.scrollHeight).toBeLessThanOrEqual(size.innerHeight);
        expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth);
        await page.screenshot({ path: join(ARTIFACTS, `board-${board}-${width}x${height}.png`) });
        await page.close();
      }
    });
  }

  it('should show STALE when the ingest lags more than 30 s', async () => {
    const page = await open('/board?boards=overview');
    const saved = harness.state.current;
    const next = structuredClone(saved);
    next.ingest.lagSec = 45;
    harness.state.current = next;
    await page.waitForSelector('.board[data-connection="stale"] .stale-banner', { timeout: 5_000 });
    harness.state.current = saved;
    await page.waitForSelector('.board[data-connection="live"]', { timeout: 5_000 });
    expect(await page.$('.stale-banner')).toBeNull();
    await page.close();
  });

  it('should show STALE within 6 s of the server stopping and clear it on restart without a reload', async () => {
    const page = await open('/board?boards=overview');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const stoppedAt = Date.now();
    await harness.stop();
    await page.waitForSelector(
      '.board:is([data-connection="stale"], [data-connection="offline"]) .stale-banner',
      {
        timeout: 6_000,
      },
    );
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    await page.screenshot({ path: join(ARTIFACTS, 'board-offline-1920x1080.png') });
    await harness.restart();
    // Back-off is capped at 10 s; allow one full cap plus the snapshot.
    await page.waitForSelector('.board[data-connection="live"]', { timeout: 15_000 });
    expect(await page.$('.stale-banner')).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.close();
  }, 40_000);

  it('should ask for a snapshot when a delta goes missing, and apply deltas after it', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const fromPage: string[] = [];
    let dropped = false;
    await page.routeWebSocket(/\/ws/, (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        fromPage.push(String(message));
        server.send(message);
      });
      server.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type: string };
        // Lose exactly one delta on the way, as a flaky proxy would.
        if (frame.type === 'delta' && !dropped) {
          dropped = true;
          return;
        }
        socket.send(message);
      });
    });
    await page.goto(`${harness.url}/board?boards=overview`);
    await page.waitForSelector('.board[data-connection="live"]');
    for (let waiting = 40; waiting <= 42; waiting++) {
      const next = structuredClone(harness.state.current);
      next.chat.queues['presale']!.waiting = waiting;
      harness.state.current = next;
      await page.waitForTimeout(300);
    }
    await page.waitForSelector('[data-metric="chat.queues.presale.waiting"][data-value="42"]', {
      timeout: 5_000,
    });
    expect(dropped).toBe(true);
    expect(fromPage.map((text) => JSON.parse(text) as { type: string })).toContainEqual({ type: 'resync' });
    const saved = structuredClone(harness.state.current);
    saved.chat.queues['presale']!.waiting = 14;
    harness.state.current = saved;
    await page.close();
  });

  it('should show the supervisor view with ticking ages and a what-if that sends the token', async () => {
    const page = await open('/supervisor?token=s3cret');
    await page.waitForSelector('[data-item="chat-9f31"]');
    const first = Number(await page.getAttribute('[data-item="chat-9f31"] [data-wait-sec]', 'data-wait-sec'));
    expect(first).toBeGreaterThanOrEqual(2_410);
    await page.waitForFunction(
      (start) =>
        Number(
          document.querySelector('[data-item="chat-9f31"] [data-wait-sec]')?.getAttribute('data-wait-sec'),
        ) > start,
      first,
      { timeout: 4_000 },
    );
    expect(await page.textContent('.agents-panel')).toContain('18');
    await page.selectOption('select[name="queue"]', 'aftersale');
    await page.fill('input[name="addAgents"]', '3');
    await page.click('.what-if-form button[type="submit"]');
    await page.waitForSelector('.what-if-result [data-field="serviceLevel"]');
    const call = harness.whatIfCalls.at(-1);
    expect(call?.headers['authorization']).toBe('Bearer s3cret');
    expect(call?.body).toMatchObject({ queue: 'aftersale', addAgents: 3 });
    expect((call?.body as { hourStart: string }).hourStart).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await page.textContent('.what-if-result')).toContain('84.0%');
    await page.screenshot({ path: join(ARTIFACTS, 'supervisor-1920x1080.png') });
    await page.close();
  });
});
