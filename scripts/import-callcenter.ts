/**
 * Converts the Technion "Anonymous Bank" call log to Peakboard events (NDJSON, in time order).
 *
 *   npm run import-callcenter -- --input anonymous_bank_february_1999.txt --out bank.ndjson
 *                                [--tz Asia/Jerusalem] [--shop anonbank] [--profile]
 *                                [--session-gap 30m]
 *
 * What maps to what, and every quirk of the data handled, is in
 * scripts/lib/backtest/callcenter/convert-calls.ts; the counts go to stderr. `--profile` also
 * prints the month's shape (arrivals by hour and weekday, queues, planner staffing) as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SHOP_PATTERN } from '../server/events/index.ts';
import { convertCallLog } from './lib/backtest/callcenter/convert-calls.ts';
import { parseDurationMs } from './lib/backtest/duration.ts';
import { monthProfile } from './lib/backtest/callcenter/month-profile.ts';

const USAGE =
  'usage: import-callcenter --input FILE --out FILE.ndjson [--tz Asia/Jerusalem] [--shop anonbank] [--profile] [--session-gap 30m]';

function main(): void {
  const { values } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      input: { type: 'string' },
      out: { type: 'string' },
      tz: { type: 'string', default: 'Asia/Jerusalem' },
      shop: { type: 'string', default: 'anonbank' },
      profile: { type: 'boolean', default: false },
      'session-gap': { type: 'string' },
    },
  });
  if (values.input === undefined || values.out === undefined)
    throw new Error(`--input and --out are required\n${USAGE}`);
  if (!SHOP_PATTERN.test(values.shop)) throw new Error(`--shop must match ${SHOP_PATTERN}`);
  new Intl.DateTimeFormat('en-US', { timeZone: values.tz });
  // The log is 33,344 rows (a few MB): reading it whole is simpler than streaming and sorting.
  const { lines, report } = convertCallLog(readFileSync(values.input, 'latin1').split('\n'), {
    timeZone: values.tz,
    shop: values.shop,
    ...(values['session-gap'] !== undefined ? { sessionGapMs: parseDurationMs(values['session-gap']) } : {}),
  });
  writeFileSync(values.out, lines.join('\n') + '\n');
  process.stderr.write(`wrote ${values.out}\n${JSON.stringify(report, null, 2)}\n`);
  if (values.profile) console.log(JSON.stringify(monthProfile(lines, values.tz), null, 1));
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
