/**
 * One queue's tile: depth now (the hero number) over a two-hour sparkline, then the oldest wait,
 * the count unanswered after 30 minutes (solid red when > 0) and the agents online. Chat queues
 * and the refund desk share the layout; only the metric paths differ.
 */
import type { Messages } from '../i18n.ts';
import { formatCount, formatWait } from '../format.ts';
import { type Level, unansweredLevel, waitLevel } from '../levels.ts';
import { Fact } from './fact.tsx';
import { MetricValue } from './metric-value.tsx';
import { Sparkline } from './sparkline.tsx';

export interface QueueTileProps {
  m: Messages;
  title: string;
  depthLabel: string;
  depth: { metric: string; value: number };
  oldest: { metric: string; value: number };
  unanswered: { metric: string; value: number };
  agents: { metric: string; value: number | null };
  history: { xs: readonly (number | null)[]; ys: readonly (number | null)[] } | undefined;
  asOfSec: number;
  color: string;
}

const worst = (...levels: Level[]): Level =>
  levels.includes('red') ? 'red' : levels.includes('amber') ? 'amber' : 'ok';

export function QueueTile(props: QueueTileProps) {
  const { m, depth, oldest, unanswered, agents } = props;
  const oldestLevel = waitLevel(oldest.value);
  const unansweredLvl = unansweredLevel(unanswered.value);
  const level = worst(oldestLevel, unansweredLvl);
  return (
    <section class={`tile queue-tile tile-${level}`} data-tile={depth.metric} data-level={level}>
      <header class="tile-title">
        <span>{props.title}</span>
      </header>
      <div class="queue-hero">
        <MetricValue metric={depth.metric} value={depth.value} text={formatCount(depth.value)} size="hero" />
        <span class="hero-label">{props.depthLabel}</span>
      </div>
      <div class="queue-spark">
        {props.history !== undefined && (
          <Sparkline
            xs={props.history.xs}
            ys={props.history.ys}
            liveX={props.asOfSec}
            liveY={depth.value}
            color={props.color}
          />
        )}
      </div>
      <div class="tile-facts">
        <Fact label={m.t('oldestWait')} level={oldestLevel}>
          <MetricValue
            metric={oldest.metric}
            value={oldest.value}
            text={formatWait(oldest.value)}
            level={oldestLevel}
          />
        </Fact>
        <Fact label={m.t('unansweredOver30m')} level={unansweredLvl}>
          <MetricValue
            metric={unanswered.metric}
            value={unanswered.value}
            text={formatCount(unanswered.value)}
            level={unansweredLvl}
          />
        </Fact>
        <Fact label={m.t('agentsOnline')}>
          <MetricValue metric={agents.metric} value={agents.value} text={formatCount(agents.value)} />
        </Fact>
      </div>
    </section>
  );
}
