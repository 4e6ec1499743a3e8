/**
 * The board in a real browser (Debian's Chromium via playwright-core) against the harness: what a
 * person in the room would see — the numbers, the red, the STALE banner — plus screenshots at
 * 1080p and 2160p in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  CHROMIUM,
  CHROMIUM_ARGS,
  hasChromium,
  overflowingElements,
  pageExtent,
  renderedMetrics,
  valueAt,
} from './browser.ts';
import { ensureWebBuild, startHarness, type Harness } from './harness.ts';

if (!hasChromium) console.warn(`e2e: skipped — ${CHROMIUM} is not installed (apt-get install chromium)`);

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
        const size = await pageExtent(page);
        expect(size.scrollHeight).toBeLessThanOrEqual(size.innerHeight);
        expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth);
        await page.screenshot({ path: join(ARTIFACTS, `board-${board}-${width}x${height}.png`) });
        await page.close();
      }
    });
  }

  it('should fit staffing gaps of up to four digits in every cell at 1080p and 4K', async () => {
    const saved = harness.state.current;
    const next = structuredClone(saved);
    const gaps = [-1450, 1450, -145, 999, -8, 0, 1234, -9999, 145, -1, 2, -145];
    next.staffing.forEach((row, index) => (row.gap = gaps[index % gaps.length] ?? 0));
    harness.state.current = next;
    try {
      for (const [width, height] of [
        [1920, 1080],
        [3840, 2160],
      ] as const) {
        for (const board of ['overview', 'staffing']) {
          const page = await open(`/board?boards=${board}`, width, height);
          await page.waitForSelector('[data-metric="staffing.presale.0.gap"][data-value="-1450"]');
          expect(await overflowingElements(page, '.gap-cell'), `${board} ${width}`).toEqual([]);
          // Still readable from 5 m: never below 2.4rem (26 px at 1080p).
          const smallestPx = await page.$$eval('.gap-cell .metric', (elements) =>
            Math.min(...elements.map((element) => parseFloat(getComputedStyle(element).fontSize))),
          );
          expect(smallestPx, `${board} ${width}`).toBeGreaterThanOrEqual((2.4 * height) / 100);
          for (const { metric, value } of await renderedMetrics(page)) {
            if (metric.startsWith('staffing.')) expect(value, metric).toBe(String(valueAt(next, metric)));
          }
          if (board === 'overview' && width === 1920)
            await page.screenshot({ path: join(ARTIFACTS, 'board-wide-gaps-1920x1080.png') });
          await page.close();
        }
      }
    } finally {
      harness.state.current = saved;
    }
  });

  it('should word alerts by kind (percent, h/min, days, counts) with human labels', async () => {
    const saved = harness.state.current;
    const next = structuredClone(saved);
    const since = next.asOf;
    next.alerts = [
      { metric: 'refunds.rates30d.refundRate', level: 'amber', value: 0.0624, threshold: 0.03, since },
      {
        metric: 'chat.queues.aftersale.firstResponse60m.avgSec',
        level: 'red',
        value: 8_100,
        threshold: 7_200,
        since,
      },
      {
        metric: 'refunds.paths.all.avgCompletionSec30d',
        level: 'amber',
        value: 293_760,
        threshold: 224_640,
        since,
      },
      { metric: 'chat.queues.presale.unansweredOver30m', level: 'red', value: 3, threshold: 0, since },
      { metric: 'refunds.rates30d.disputeRate', level: 'red', value: 0.0123, threshold: 0.01, since },
    ];
    harness.state.current = next;
    try {
      const words: Record<'en' | 'zh-CN', Record<string, string[]>> = {
        en: {
          'refunds.rates30d.refundRate': ['Refund rate', '6.2%', '> 3.0%'],
          'chat.queues.aftersale.firstResponse60m.avgSec': ['After-sales', '2 h 15 min', '> 2 h'],
          'refunds.paths.all.avgCompletionSec30d': ['Refund completion', '3.4 d', '> 2.6 d'],
          'chat.queues.presale.unansweredOver30m': ['Pre-sales', 'Unanswered ≥ 30 min', '3', '> 0'],
          'refunds.rates30d.disputeRate': ['Dispute rate', '1.2%', '> 1.0%'],
        },
        'zh-CN': {
          'refunds.rates30d.refundRate': ['退款率', '6.2%', '> 3.0%'],
          'chat.queues.aftersale.firstResponse60m.avgSec': ['售后', '2 小时 15 分钟', '> 2 小时'],
          'refunds.paths.all.avgCompletionSec30d': ['退款完结时长', '3.4 天', '> 2.6 天'],
          'chat.queues.presale.unansweredOver30m': ['售前', '超 30 分钟未回复', '> 0'],
          'refunds.rates30d.disputeRate': ['纠纷率', '1.2%', '> 1.0%'],
        },
      };
      for (const lang of ['en', 'zh-CN'] as const) {
        const page = await open(`/board?boards=overview&lang=${lang}`);
        await page.waitForSelector('.alerts-strip[data-alert-count="5"]');
        await page.waitForTimeout(200); // the strip settles on what fits
        await page.screenshot({ path: join(ARTIFACTS, `board-alerts-${lang}-1920x1080.png`) });
        const shown = await page.$$eval('.alerts-strip [data-alert-metric]', (elements) =>
          elements.map((element) => ({
            metric: element.getAttribute('data-alert-metric') ?? '',
            level: element.className.includes('level-red') ? 'red' : 'amber',
            text: element.textContent ?? '',
          })),
        );
        const hidden = Number((await page.getAttribute('[data-hidden-alerts]', 'data-hidden-alerts')) ?? '0');
        expect(shown.length + hidden, lang).toBe(5);
        expect(shown.length, lang).toBeGreaterThanOrEqual(1);
        // As many as fit: the next one would not (the strip never gives up room it has).
        const room = await page.$eval('.alerts-strip', (strip) => {
          const chips = [...strip.querySelectorAll('.alert')];
          return strip.getBoundingClientRect().right - (chips.at(-1)?.getBoundingClientRect().right ?? 0);
        });
        if (hidden > 0) expect(room, lang).toBeLessThan(900);
        // Red first; every alert worded in its unit, never as a raw path.
        expect(shown.map((alert) => alert.level)).toEqual(
          [...shown.map((alert) => alert.level)].sort((a, b) => (a === b ? 0 : a === 'red' ? -1 : 1)),
        );
        for (const alert of shown) {
          expect(alert.text).not.toMatch(/rates30d|Rate\b|avgSec|Over30m/);
          for (const word of words[lang][alert.metric] ?? ['(unexpected metric)'])
            expect(alert.text, alert.metric).toContain(word);
        }
        expect(await overflowingElements(page, '.alert')).toEqual([]);
        for (const { metric, value } of await renderedMetrics(page)) {
          if (metric.startsWith('alerts.')) expect(value, metric).toBe(String(valueAt(next, metric)));
        }
        await page.close();
      }
      // At 4K the same picture: the strip holds the same alerts.
      const page = await open('/board?boards=overview', 3840, 2160);
      const size = await pageExtent(page);
      expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth);
      await page.close();
    } finally {
      harness.state.current = saved;
    }
  });

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
    const result = '.what-if-result[data-queue="aftersale"]';
    expect(await page.textContent(result)).toContain('84.0%');
    expect(await page.getAttribute(`${result} [data-field="agents"][data-after]`, 'data-after')).toBe('17');
    expect(await page.getAttribute(`${result} [data-field="serviceLevel"][data-after]`, 'class')).toContain(
      'better',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'supervisor-1920x1080.png') });
    await page.close();
  });
});
