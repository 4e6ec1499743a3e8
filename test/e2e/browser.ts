/**
 * What the browser suites share: Debian's Chromium through playwright-core, where screenshots go,
 * and how to read what a person sees (`data-metric` / `data-value`) and compare it with the API.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../test-artifacts');
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

export const hasChromium = existsSync(CHROMIUM);

/** The value at an API.md path in the aggregates, with `staffing.<queue>.<hourIndex>.<field>` addressing rows. */
export function valueAt(data: unknown, metric: string): unknown {
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

/** `data-value` as the board writes it: the raw number, `""` for null or absent. */
export function expectedAttribute(data: unknown, metric: string): string {
  const value = valueAt(data, metric);
  return value === null || value === undefined ? '' : String(value);
}

export async function renderedMetrics(page: Page): Promise<{ metric: string; value: string }[]> {
  return page.$$eval('[data-metric]', (elements) =>
    elements.map((element) => ({
      metric: element.getAttribute('data-metric') ?? '',
      value: element.getAttribute('data-value') ?? '',
    })),
  );
}

/** Page size against the viewport: a TV board must never scroll. */
export async function pageExtent(
  page: Page,
): Promise<{ scrollWidth: number; scrollHeight: number; innerWidth: number; innerHeight: number }> {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    innerWidth,
    innerHeight,
  }));
}

/** Elements matching `selector` whose content is wider or taller than their box (clipped text). */
export async function overflowingElements(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) =>
    elements
      .filter(
        (element) =>
          element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1,
      )
      .map(
        (element) =>
          `${element.className} "${element.textContent ?? ''}" ${element.scrollWidth}>${element.clientWidth}`,
      ),
  );
}
