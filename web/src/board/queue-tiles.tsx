/** The chat queue tiles and the refund desk tile, wired to their API.md paths and series columns. */
import type { BoardData, SeriesColumns } from '../../../server/push/protocol.ts';
import { QueueTile } from '../components/queue-tile.tsx';
import type { Messages } from '../i18n.ts';
import { staffingByQueue } from '../levels.ts';

const QUEUE_COLORS = ['#5aa9ff', '#c38bff', '#4fd1c5', '#f6a6d1'];
const REFUND_COLOR = '#ffb454';

function column(series: SeriesColumns | undefined, label: string) {
  if (series === undefined) return undefined;
  const index = series.labels.indexOf(label);
  const xs = series.columns[0];
  const ys = series.columns[index + 1];
  return index < 0 || xs === undefined || ys === undefined ? undefined : { xs, ys };
}

export function asOfSeconds(data: BoardData): number {
  const ms = Date.parse(data.asOf);
  return Number.isFinite(ms) ? ms / 1000 : Date.now() / 1000;
}

export function ChatQueueTiles({ data, m }: { data: BoardData; m: Messages }) {
  const asOfSec = asOfSeconds(data);
  return (
    <>
      {Object.entries(data.chat.queues).map(([name, queue], i) => {
        const base = `chat.queues.${name}`;
        return (
          <QueueTile
            m={m}
            title={m.queue(name)}
            depthLabel={m.t('queueDepth')}
            depth={{ metric: `${base}.waiting`, value: queue.waiting }}
            oldest={{ metric: `${base}.oldestWaitSec`, value: queue.oldestWaitSec }}
            unanswered={{ metric: `${base}.unansweredOver30m`, value: queue.unansweredOver30m }}
            agents={{ metric: `${base}.agentsOnline`, value: queue.agentsOnline }}
            history={column(data.series?.queueDepth, name)}
            asOfSec={asOfSec}
            color={QUEUE_COLORS[i % QUEUE_COLORS.length]!}
          />
        );
      })}
    </>
  );
}

export function RefundDeskTile({ data, m }: { data: BoardData; m: Messages }) {
  const refunds = data.refunds;
  const desk = staffingByQueue(data).get('refund')?.[0];
  return (
    <QueueTile
      m={m}
      title={m.queue('refund')}
      depthLabel={m.t('awaitingResponse')}
      depth={{ metric: 'refunds.awaitingResponse', value: refunds.awaitingResponse }}
      oldest={{ metric: 'refunds.oldestUnansweredSec', value: refunds.oldestUnansweredSec }}
      unanswered={{ metric: 'refunds.unansweredOver30m', value: refunds.unansweredOver30m }}
      agents={{ metric: 'staffing.refund.0.onlineAgents', value: desk?.onlineAgents ?? null }}
      history={column(data.series?.refundsAwaiting, 'refunds')}
      asOfSec={asOfSeconds(data)}
      color={REFUND_COLOR}
    />
  );
}
