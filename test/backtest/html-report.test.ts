import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { parseWhatIfPlan, renderHtmlReport, runBacktest } from '../../scripts/lib/backtest/index.ts';
import { dayLines, FIFTEEN_MINUTES_MS, REPO_ROOT, TIME_ZONE } from './fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

describe('HTML report', () => {
  const report = runBacktest(dayLines(0, { shops: 1, scale: 0.12 }), {
    timeZone: TIME_ZONE,
    stepMs: FIFTEEN_MINUTES_MS,
    whatIf: parseWhatIfPlan({
      changes: [
        { queue: 'presale', from: '2026-11-11T19:00+08:00', to: '2026-11-12T00:00+08:00', addAgents: 5 },
      ],
    }),
  });
  const html = renderHtmlReport(report);

  it('should be one file that loads nothing from the network', () => {
    // uPlot's licence comment names its home page; nothing may *load* from anywhere.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:|fetch\(/);
    expect(html).toContain('uPlot');
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'should draw every chart when opened from disk in a browser',
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      const file = join(ARTIFACTS, 'backtest-report.html');
      writeFileSync(file, html);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const remote: string[] = [];
        const errors: string[] = [];
        page.on('request', (request) => {
          if (!request.url().startsWith('file:')) remote.push(request.url());
        });
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`file://${file}`);
        // Queue depth, unanswered, staffing, completion, what-if depth, what-if waits.
        await page.waitForFunction(() => document.querySelectorAll('canvas').length >= 6, undefined, {
          timeout: 10_000,
        });
        expect(await page.locator('.uplot').count()).toBe(6);
        expect(await page.locator('h2', { hasText: 'Actual vs what-if' }).count()).toBe(1);
        expect(remote).toEqual([]);
        expect(errors).toEqual([]);
        await page.screenshot({ path: join(ARTIFACTS, 'backtest-report.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    },
    30_000,
  );

  if (!existsSync(CHROMIUM)) console.warn(`skipping the browser check: ${CHROMIUM} is not installed`);
});
