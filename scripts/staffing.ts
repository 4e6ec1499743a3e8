/**
 * Staffing planner: Erlang C (Erlang A with --patience-sec, Erlang B with --max-blocking) for one
 * interval or for a day of hourly arrival counts. Prints one JSON object on stdout.
 * Exit codes: 0 ok; 2 bad arguments or a scenario the model cannot evaluate; 1 anything else.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  erlangAMetrics,
  erlangB,
  erlangCMetrics,
  positionsWithShrinkage,
  requiredServersErlangA,
  requiredServersErlangB,
  requiredServersErlangC,
  requiredServersForWaitingProbability,
  StaffingInputError,
  UnstableQueueError,
} from '../server/staffing/index.ts';

const USAGE = `usage: npm run -s staffing -- --arrivals N --interval-sec S --aht-sec S [--threshold-sec S] MODE [options]
       npm run -s staffing -- --hourly FILE.json --aht-sec S [--threshold-sec S] MODE [options]
--threshold-sec is the answer-time threshold of the service level (required by --target-sl;
otherwise serviceLevel is reported only when it is given).
MODE (exactly one):
  --agents N                  evaluate N agents
  --target-sl P               fewest agents answering share P within --threshold-sec
      [--max-occupancy P]     occupancy cap (default 1: no cap)
  --max-wait-probability P    fewest agents with P(wait) <= P
  --max-blocking P            Erlang B (no queue): fewest agents with blocking <= P
options:
  --shrinkage P               positions = ceil(agents / (1 - P)) (default 0)
  --concurrency C             contacts per agent at once, e.g. chats (default 1)
  --patience-sec S            mean patience: Erlang A (abandonment) instead of Erlang C
  --interval-sec S            with --hourly, defaults to 3600`;

/** Input the user got wrong; printed as one line, exit code 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

type Mode =
  | { kind: 'agents'; agents: number }
  | { kind: 'target-sl'; targetServiceLevel: number; maxOccupancy: number }
  | { kind: 'max-wait-probability'; maxWaitingProbability: number }
  | { kind: 'max-blocking'; maxBlocking: number };

interface Scenario {
  intervalSec: number;
  handleSec: number;
  /** Answer-time threshold; required by --target-sl, otherwise only for reporting a service level. */
  thresholdSec: number | undefined;
  shrinkage: number;
  concurrency: number;
  patienceSec: number | undefined;
  mode: Mode;
}

type Figures = Record<string, number | string | null>;

const OPTIONS = {
  arrivals: { type: 'string' },
  'interval-sec': { type: 'string' },
  'aht-sec': { type: 'string' },
  'threshold-sec': { type: 'string' },
  agents: { type: 'string' },
  'target-sl': { type: 'string' },
  'max-occupancy': { type: 'string' },
  shrinkage: { type: 'string' },
  'max-wait-probability': { type: 'string' },
  'max-blocking': { type: 'string' },
  concurrency: { type: 'string' },
  'patience-sec': { type: 'string' },
  hourly: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = Partial<Record<Exclude<keyof typeof OPTIONS, 'help'>, string>>;

interface NumberRule {
  min: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

function parseNumber(name: string, text: string, rule: NumberRule): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const belowMin = rule.minExclusive ? value <= rule.min : value < rule.min;
  const aboveMax = rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max);
  if (
    !Number.isFinite(value) ||
    belowMin ||
    aboveMax ||
    (rule.integer === true && !Number.isInteger(value))
  ) {
    const range = `${rule.minExclusive ? '>' : '>='} ${rule.min}${
      rule.max === undefined ? '' : ` and ${rule.maxExclusive ? '<' : '<='} ${rule.max}`
    }`;
    throw new UsageError(
      `--${name} must be ${rule.integer === true ? 'a whole number' : 'a number'} ${range}, got "${text}"`,
    );
  }
  return value;
}

function requiredNumber(values: Values, name: keyof Values, rule: NumberRule): number {
  const text = values[name];
  if (text === undefined) throw new UsageError(`--${name} is required`);
  return parseNumber(name, text, rule);
}

function optionalNumber(values: Values, name: keyof Values, rule: NumberRule, fallback: number): number {
  const text = values[name];
  return text === undefined ? fallback : parseNumber(name, text, rule);
}

const PROBABILITY = { min: 0, max: 1 };

function parseMode(values: Values): Mode {
  const given = (['agents', 'target-sl', 'max-wait-probability', 'max-blocking'] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new UsageError('give exactly one of --agents, --target-sl, --max-wait-probability, --max-blocking');
  }
  if (values['max-occupancy'] !== undefined && given[0] !== 'target-sl') {
    throw new UsageError('--max-occupancy goes with --target-sl');
  }
  switch (given[0]) {
    case 'agents':
      return { kind: 'agents', agents: requiredNumber(values, 'agents', { min: 0, integer: true }) };
    case 'target-sl':
      return {
        kind: 'target-sl',
        targetServiceLevel: requiredNumber(values, 'target-sl', PROBABILITY),
        maxOccupancy: optionalNumber(values, 'max-occupancy', { min: 0, max: 1, minExclusive: true }, 1),
      };
    case 'max-wait-probability':
      return {
        kind: 'max-wait-probability',
        maxWaitingProbability: requiredNumber(values, 'max-wait-probability', PROBABILITY),
      };
    default:
      return {
        kind: 'max-blocking',
        maxBlocking: requiredNumber(values, 'max-blocking', { min: 0, max: 1, minExclusive: true }),
      };
  }
}

function parseScenario(values: Values, hourly: boolean): Scenario {
  const mode = parseMode(values);
  const patienceText = values['patience-sec'];
  const thresholdText = values['threshold-sec'];
  if (patienceText !== undefined && mode.kind === 'max-blocking') {
    throw new UsageError('--patience-sec does not apply to --max-blocking');
  }
  return {
    intervalSec: hourly
      ? optionalNumber(values, 'interval-sec', { min: 0, minExclusive: true }, 3600)
      : requiredNumber(values, 'interval-sec', { min: 0, minExclusive: true }),
    handleSec: requiredNumber(values, 'aht-sec', { min: 0, minExclusive: true }),
    thresholdSec:
      mode.kind === 'target-sl' || thresholdText !== undefined
        ? requiredNumber(values, 'threshold-sec', { min: 0 })
        : undefined,
    shrinkage: optionalNumber(values, 'shrinkage', { min: 0, max: 1, maxExclusive: true }, 0),
    concurrency: optionalNumber(values, 'concurrency', { min: 1 }, 1),
    patienceSec:
      patienceText === undefined
        ? undefined
        : parseNumber('patience-sec', patienceText, { min: 0, minExclusive: true }),
    mode,
  };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Fewest slots meeting the mode's target, before concurrency. */
function requiredSlots(scenario: Scenario, arrivals: number, offeredLoad: number): number {
  const { mode, handleSec, thresholdSec, patienceSec, intervalSec } = scenario;
  if (mode.kind === 'max-blocking') return requiredServersErlangB(offeredLoad, mode.maxBlocking);
  if (patienceSec === undefined) {
    if (mode.kind === 'target-sl') {
      return requiredServersErlangC({ offeredLoad, handleSec, thresholdSec: thresholdSec ?? 0, ...mode });
    }
    if (mode.kind === 'max-wait-probability') {
      return requiredServersForWaitingProbability(offeredLoad, mode.maxWaitingProbability);
    }
    return 0;
  }
  if (arrivals === 0) return 0;
  const parameters = { arrivals, intervalSec, handleSec, patienceSec };
  if (mode.kind === 'target-sl')
    return requiredServersErlangA(parameters, { thresholdSec: thresholdSec ?? 0, ...mode });
  if (mode.kind === 'max-wait-probability') {
    for (let slots = 1; ; slots++) {
      if (erlangAMetrics(slots, parameters, 0).waitingProbability <= mode.maxWaitingProbability) return slots;
    }
  }
  return 0;
}

/** Queue figures for `slots` servers; null where there is nothing to measure. */
function queueFigures(scenario: Scenario, arrivals: number, offeredLoad: number, slots: number): Figures {
  const { handleSec, thresholdSec, patienceSec, intervalSec, mode } = scenario;
  if (mode.kind === 'max-blocking') return { blocking: round6(erlangB(slots, offeredLoad)) };
  const none = { serviceLevel: null, waitingProbability: null, occupancy: null, asaSec: null };
  if (arrivals === 0) return slots === 0 ? none : { ...none, occupancy: 0, waitingProbability: 0, asaSec: 0 };
  if (patienceSec !== undefined) {
    if (slots === 0) throw new StaffingInputError('Erlang A needs at least one agent');
    const metrics = erlangAMetrics(
      slots,
      { arrivals, intervalSec, handleSec, patienceSec },
      thresholdSec ?? 0,
    );
    return {
      serviceLevel: thresholdSec === undefined ? null : round6(metrics.serviceLevel),
      waitingProbability: round6(metrics.waitingProbability),
      abandonmentProbability: round6(metrics.abandonmentProbability),
      occupancy: round6(metrics.occupancy),
      asaSec: round6(metrics.averageSpeedOfAnswerSec),
    };
  }
  const metrics = erlangCMetrics(slots, offeredLoad, thresholdSec ?? 0, handleSec);
  return {
    serviceLevel: thresholdSec === undefined ? null : round6(metrics.serviceLevel),
    waitingProbability: round6(metrics.waitingProbability),
    occupancy: round6(metrics.occupancy),
    asaSec: round6(metrics.averageSpeedOfAnswerSec),
  };
}

function evaluate(scenario: Scenario, arrivals: number): Figures {
  const { mode, concurrency, shrinkage } = scenario;
  const offeredLoad = (arrivals / scenario.intervalSec) * scenario.handleSec;
  const model =
    mode.kind === 'max-blocking' ? 'erlang-b' : scenario.patienceSec === undefined ? 'erlang-c' : 'erlang-a';
  if (mode.kind === 'agents') {
    const slots = Math.floor(mode.agents * concurrency + 1e-9);
    return {
      model,
      offeredLoad: round6(offeredLoad),
      agents: mode.agents,
      slots,
      positions: positionsWithShrinkage(mode.agents, shrinkage),
      ...queueFigures(scenario, arrivals, offeredLoad, slots),
    };
  }
  const rawAgents = Math.ceil(requiredSlots(scenario, arrivals, offeredLoad) / concurrency - 1e-9);
  // Figures for the agents actually staffed, whose slots may exceed the minimum when concurrency > 1.
  const slots = Math.floor(rawAgents * concurrency + 1e-9);
  return {
    model,
    offeredLoad: round6(offeredLoad),
    rawAgents,
    slots,
    positions: positionsWithShrinkage(rawAgents, shrinkage),
    ...queueFigures(scenario, arrivals, offeredLoad, slots),
  };
}

function readHourlyArrivals(file: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--hourly ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every((count) => typeof count === 'number' && Number.isFinite(count) && count >= 0)
  ) {
    throw new UsageError(`--hourly ${file}: expected a JSON array of arrival counts >= 0`);
  }
  return parsed as number[];
}

function run(argv: string[]): Figures | { hours: Figures[] } | string {
  let values: Values & { help?: boolean };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return USAGE;
  if (values.hourly !== undefined) {
    if (values.arrivals !== undefined) throw new UsageError('--arrivals and --hourly exclude each other');
    const scenario = parseScenario(values, true);
    const hours = readHourlyArrivals(values.hourly).map((arrivals, hour): Figures => {
      try {
        return { hour, arrivals, ...evaluate(scenario, arrivals) };
      } catch (error) {
        // A fixed head count below an hour's load is a finding for that hour, not a failed run.
        if (error instanceof UnstableQueueError) return { hour, arrivals, error: error.message };
        throw error;
      }
    });
    return { hours };
  }
  const arrivals = requiredNumber(values, 'arrivals', { min: 0 });
  return evaluate(parseScenario(values, false), arrivals);
}

try {
  const result = run(process.argv.slice(2));
  process.stdout.write(typeof result === 'string' ? `${result}\n` : `${JSON.stringify(result)}\n`);
} catch (error) {
  const known =
    error instanceof UsageError || error instanceof StaffingInputError || error instanceof UnstableQueueError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `staffing: ${message.replace(/\s+/g, ' ')}${error instanceof UsageError ? ' (--help for usage)' : ''}\n`,
  );
  process.exitCode = known ? 2 : 1;
}
