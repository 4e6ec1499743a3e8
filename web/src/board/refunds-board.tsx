/** Refund desk in detail: the desk tile, completion per path with p90 and open counts, 30-day rates. */
import type { BoardData } from '../../../server/push/protocol.ts';
import { CompletionPanel } from '../components/completion-panel.tsx';
import { Fact } from '../components/fact.tsx';
import { MetricValue } from '../components/metric-value.tsx';
import type { Messages } from '../i18n.ts';
import { formatPercent } from '../format.ts';
import { RefundDeskTile } from './queue-tiles.tsx';

const RATES = ['refundRate', 'disputeRate', 'qualityRefundRate', 'experienceRefundRate'] as const;

export function RefundsBoard({ data, m }: { data: BoardData; m: Messages }) {
  return (
    <div class="refunds-board">
      <RefundDeskTile data={data} m={m} />
      <div class="refunds-right">
        <CompletionPanel data={data} m={m} detailed />
        <section class="tile rates-panel">
          <header class="tile-title">
            <span>{m.t('rates30d')}</span>
          </header>
          <div class="tile-facts">
            {RATES.map((rate) => (
              <Fact label={m.t(rate)}>
                <MetricValue
                  metric={`refunds.rates30d.${rate}`}
                  value={data.refunds.rates30d[rate]}
                  text={formatPercent(data.refunds.rates30d[rate], 2)}
                />
              </Fact>
            ))}
          </div>
        </section>
      </div>
    </div>
  );
}
