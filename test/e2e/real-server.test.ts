/**
 * The board against the real thing: a nats-server, `startPeakboard` (JetStream → DuckDB → engine →
 * HTTP + push, CLOCK=event) and events published on ops.<kind>.<shop> as producers would. What a
 * person sees in Chromium must equal GET /api/snapshot; a chat waiting past 30 minutes of event
 * time turns its tile red; a server restart on the same port and data directory shows OFFLINE and
 * then recovers without a reload; Chinese labels render; 1080p and 4K fill the screen.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/index.ts';
import { startPeakboard, type RunningPeakboard } from '../../server/peakboard.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishAll, waitFor, type OutgoingMessage } from '../helpers/publish.ts';
import {
  ARTIFACTS,
  CHROMIUM,
  CHROMIUM_ARGS,
  expectedAttribute,
  hasChromium,
  overflowingElements,
  pageExtent,
  renderedMetrics,
} from './browser.ts';
import { ensureWebBuild, WEB_DIST } from './harness.ts';

if (!hasChromium) console.warn(`e2e (real server): skipped — ${CHROMIUM} is not installed`);

const SHOP = 'shop1';
/** 20:00 on the peak evening, business time; everything below is minutes or days from here. */
const T0 = Date.parse('2026-11-11T20:00:00.000+08:00');
const MIN = 60_000;
const DAY = 86_400_000;

type Kind = 'refund' | 'chat' | 'agent' | 'order' | 'clock';
let nextId = 0;

function event(
  kind: Kind,
  type: string,
  atMs: number,
  fields: Record<string, unknown> = {},
): OutgoingMessage {
  const id = `e2e-${++nextId}`;
  const body = { id, type, ts: new Date(atMs).toISOString(), shop: SHOP, ...fields };
  return { subject: `ops.${kind}.${SHOP}`, data: JSON.stringify(body), msgId: id };
}

const tick = (atMs: number): OutgoingMessage => event('clock', 'clock.tick', atMs);

/**
 * A small evening: agents on each queue, a month of orders, refunds on every path (two completed,
 * one awaiting a response, one answered), chats answered, waiting, closed and abandoned. The first
 * message is a tick at T0+10 min so the event clock starts there and the past is not "future".
 */
function evening(): OutgoingMessage[] {
  const messages = [tick(T0 + 10 * MIN)];
  for (const [agent, status, queues] of [
    ['a-pre-1', 'online', ['presale']],
    ['a-pre-2', 'busy', ['presale']],
    ['a-after-1', 'online', ['aftersale']],
    ['a-both', 'busy', ['presale', 'aftersale']],
    ['a-refund', 'online', ['refund']],
  ] as const) {
    messages.push(event('agent', 'agent.status', T0, { agent_id: agent, status, queues }));
  }
  for (let i = 0; i < 40; i++) {
    messages.push(
      event('order', 'order.paid', T0 - i * 17 * 3_600_000, { order_id: `o-${i}`, amount: 99 + i }),
    );
  }
  const refund = (id: string, atMs: number, path: string, reason = 'no_reason_7d') =>
    event('refund', 'refund.requested', atMs, {
      refund_id: id,
      order_id: `o-${id}`,
      path,
      reason,
      amount: 59,
    });
  messages.push(
    refund('rf-1', T0 - 3 * DAY, 'unshipped'),
    event('refund', 'refund.responded', T0 - 3 * DAY + 10 * MIN, { refund_id: 'rf-1', agent_id: 'a-refund' }),
    event('refund', 'refund.succeeded', T0 - 2 * DAY, { refund_id: 'rf-1', amount: 59 }),
    refund('rf-2', T0 - 5 * DAY, 'return_refund', 'quality'),
    event('refund', 'refund.responded', T0 - 5 * DAY + 20 * MIN, { refund_id: 'rf-2', agent_id: 'a-refund' }),
    event('refund', 'refund.return_shipped', T0 - 4 * DAY, { refund_id: 'rf-2', waybill: 'SF123' }),
    event('refund', 'refund.goods_received', T0 - 2 * DAY, { refund_id: 'rf-2' }),
    event('refund', 'refund.succeeded', T0 - DAY, { refund_id: 'rf-2', amount: 59 }),
    refund('rf-3', T0 + 2 * MIN, 'in_transit'),
    refund('rf-4', T0 + 3 * MIN, 'received_refund_only', 'quality'),
    event('refund', 'refund.responded', T0 + 4 * MIN, { refund_id: 'rf-4', agent_id: 'a-refund' }),
  );
  const chat = (id: string, atMs: number, queue: string) =>
    event('chat', 'chat.started', atMs, { chat_id: id, queue, customer_id: `cu-${id}` });
  const message = (id: string, atMs: number, from: 'customer' | 'agent', agent?: string) =>
    event('chat', 'chat.message', atMs, { chat_id: id, from, ...(agent ? { agent_id: agent } : {}) });
  messages.push(
    chat('c-1', T0 + 1 * MIN, 'presale'),
    event('chat', 'chat.assigned', T0 + 1.5 * MIN, { chat_id: 'c-1', agent_id: 'a-pre-1' }),
    message('c-1', T0 + 2 * MIN, 'agent', 'a-pre-1'),
    message('c-1', T0 + 3 * MIN, 'customer'),
    chat('c-2', T0 + 4 * MIN, 'aftersale'),
    chat('c-3', T0 + 5 * MIN, 'presale'),
    message('c-3', T0 + 6 * MIN, 'agent', 'a-pre-2'),
    event('chat', 'chat.closed', T0 + 8 * MIN, { chat_id: 'c-3' }),
    chat('c-4', T0 + 6 * MIN, 'aftersale'),
    event('chat', 'chat.closed', T0 + 7 * MIN, { chat_id: 'c-4' }),
  );
  return messages;
}

interface Snapshot {
  asOf: string;
  chat: { queues: Record<string, { waiting: number; unansweredOver30m: number }> };
  refunds: { awaitingResponse: number };
  ingest: { accepted: number; rejected: number; pending: number };
}

describe.skipIf(!hasChromium)('board in Chromium against the real server', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let browser: Browser;
  let board: RunningPeakboard;
  const temp = makeTempDir('peakboard-e2e-');
  let published = 0;

  const start = (port: number) =>
    startPeakboard(
      parseConfig({
        NATS_URL: nats.url,
        DATA_DIR: temp.dir,
        PORT: String(port),
        CLOCK: 'event',
        TICK_MS: '100',
        LOG_LEVEL: 'error',
      }),
      { webRoot: WEB_DIST },
    );

  async function snapshot(): Promise<Snapshot> {
    const response = await fetch(`${board.url}/api/snapshot`);
    expect(response.status).toBe(200);
    return (await response.json()) as Snapshot;
  }

  async function publish(messages: OutgoingMessage[]): Promise<Snapshot> {
    published += await publishAll(nc, messages);
    return waitFor(
      async () => {
        const s = await snapshot();
        return s.ingest.accepted + s.ingest.rejected >= published && s.ingest.pending === 0 ? s : undefined;
      },
      15_000,
      'ingest to catch up',
    );
  }

  async function open(path: string, width = 1920, height = 1080): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${board.url}${path}`);
    await page.waitForSelector('.board[data-connection="live"], .supervisor[data-connection="live"]', {
      timeout: 10_000,
    });
    return page;
  }

  /** Waits until every data-value on the page equals the API's snapshot (the push trails by a tick). */
  async function expectBoardEqualsSnapshot(page: Page): Promise<number> {
    let mismatches: string[] = [];
    let count = 0;
    const deadline = Date.now() + 5_000;
    do {
      const expected = await snapshot();
      const metrics = await renderedMetrics(page);
      count = metrics.length;
      mismatches = metrics
        .filter(({ metric, value }) => value !== expectedAttribute(expected, metric))
        .map(({ metric, value }) => `${metric}: board ${value}, api ${expectedAttribute(expected, metric)}`);
      if (mismatches.length === 0) return count;
      await page.waitForTimeout(200);
    } while (Date.now() < deadline);
    expect(mismatches).toEqual([]);
    return count;
  }

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
    board = await start(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const s = await publish(evening());
    expect(s.ingest.rejected).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await board?.stop();
    await nc?.close();
    await nats?.dispose();
    temp.remove();
  });

  it('should show on every board exactly what GET /api/snapshot says', async () => {
    const s = await snapshot();
    // The events went through: one chat waits in each queue, one refund awaits its first response.
    expect(s.asOf).toBe('2026-11-11T20:10:00.000+08:00');
    expect(s.chat.queues['presale']?.waiting).toBe(1);
    expect(s.chat.queues['aftersale']?.waiting).toBe(1);
    expect(s.refunds.awaitingResponse).toBe(1);
    for (const name of ['overview', 'refunds', 'staffing']) {
      const page = await open(`/board?boards=${name}`);
      expect(await expectBoardEqualsSnapshot(page), name).toBeGreaterThan(10);
      expect(await page.textContent('.header-bar')).toContain('20:10:00');
      await page.close();
    }
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
      '截至',
    ]) {
      expect(text, label).toContain(label);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'real-board-zh-CN-1920x1080.png') });
    await page.close();
  });

  it('should list the waiting chats and refunds and answer a what-if from the real model', async () => {
    const page = await open('/supervisor');
    await page.waitForSelector('[data-item="c-2"][data-shop="shop1"]');
    await page.waitForSelector('.unanswered-panel[data-kind="refund"] [data-item="rf-3"]');
    await page.selectOption('select[name="queue"]', 'aftersale');
    await page.fill('input[name="addAgents"]', '2');
    await page.click('.what-if-form button[type="submit"]');
    const result = '.what-if-result[data-queue="aftersale"]';
    await page.waitForSelector(`${result} [data-field="serviceLevel"][data-after]`);
    expect(await page.getAttribute('.what-if-output', 'data-status')).toBe('200');
    const agentsBefore = Number(
      await page.getAttribute(`${result} [data-field="agents"][data-before]`, 'data-before'),
    );
    const agentsAfter = Number(
      await page.getAttribute(`${result} [data-field="agents"][data-after]`, 'data-after'),
    );
    expect(agentsAfter).toBe(agentsBefore + 2);
    expect(await page.textContent(result)).toMatch(/\d+(\.\d)?%/);
    await page.screenshot({ path: join(ARTIFACTS, 'real-supervisor-1920x1080.png') });
    await page.close();
  });

  it('should turn the chat tile red when a chat passes 30 minutes of event time', async () => {
    const page = await open('/board?boards=overview');
    const metric = '[data-metric="chat.queues.aftersale.unansweredOver30m"]';
    expect(await page.getAttribute(metric, 'data-level')).toBe('ok');
    // c-2 started at T0+4 min; ticks every 5 min (the future rule allows 300 s) up to T0+35 min.
    const s = await publish([15, 20, 25, 30, 35].map((minutes) => tick(T0 + minutes * MIN)));
    expect(s.chat.queues['aftersale']?.unansweredOver30m).toBe(1);
    await page.waitForSelector(`${metric}[data-value="1"]`, { timeout: 5_000 });
    expect(await page.getAttribute(metric, 'data-level')).toBe('red');
    expect(await page.$eval(metric, (element) => element.closest('.tile')?.className ?? '')).toContain(
      'tile-red',
    );
    expect(await page.$eval(metric, (element) => element.querySelector('svg.icon-red') !== null)).toBe(true);
    // The alert names it in words and units, not as a path.
    const alerts = await page.textContent('.alerts-strip');
    expect(alerts).not.toMatch(/chat\.queues|unansweredOver30m/);
    await expectBoardEqualsSnapshot(page);
    await page.screenshot({ path: join(ARTIFACTS, 'real-board-red-1920x1080.png') });
    await page.close();
  });

  for (const [width, height] of [
    [1920, 1080],
    [3840, 2160],
  ] as const) {
    it(`should fill ${width}×${height} without scrollbars or clipped numbers`, async () => {
      for (const name of ['overview', 'refunds', 'staffing']) {
        const page = await open(`/board?boards=${name}`, width, height);
        await page.waitForTimeout(200); // uPlot sizes itself to the laid-out tile
        const size = await pageExtent(page);
        expect(size.scrollHeight, name).toBeLessThanOrEqual(size.innerHeight);
        expect(size.scrollWidth, name).toBeLessThanOrEqual(size.innerWidth);
        expect(await overflowingElements(page, '.gap-cell, .alert'), name).toEqual([]);
        await page.screenshot({ path: join(ARTIFACTS, `real-board-${name}-${width}x${height}.png`) });
        await page.close();
      }
    });
  }

  it('should show OFFLINE within 6 s of the server stopping and recover on a restart without a reload', async () => {
    const page = await open('/board?boards=overview');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const port = Number(new URL(board.url).port);
    const stoppedAt = Date.now();
    await board.stop();
    await page.waitForSelector(
      '.board:is([data-connection="stale"], [data-connection="offline"]) .stale-banner',
      {
        timeout: 6_000,
      },
    );
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    await page.screenshot({ path: join(ARTIFACTS, 'real-board-offline-1920x1080.png') });
    // Same port, same DATA_DIR: state comes back from DuckDB, the consumer resumes.
    board = await start(port);
    await page.waitForSelector('.board[data-connection="live"]', { timeout: 15_000 });
    expect(await page.$('.stale-banner')).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await expectBoardEqualsSnapshot(page);
    expect(
      await page.getAttribute('[data-metric="chat.queues.aftersale.unansweredOver30m"]', 'data-value'),
    ).toBe('1');
    await page.close();
  }, 40_000);
});
