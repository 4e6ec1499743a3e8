/** Staffing in detail: per queue and hour, forecast against actual arrivals, agents required and online. */
import type { BoardData } from '../../../server/push/protocol.ts';
import { MetricValue } from '../components/metric-value.tsx';
import { StaffingGapPanel } from '../components/staffing-gap-panel.tsx';
import type { Messages } from '../i18n.ts';
import { formatCount, formatPercent, formatSigned, hourOf } from '../format.ts';
import { gapLevel, staffingByQueue } from '../levels.ts';

export function StaffingBoard({ data, m }: { data: BoardData; m: Messages }) {
  const byQueue = staffingByQueue(data);
  return (
    <div class="staffing-board">
      <StaffingGapPanel data={data} m={m} />
      <div
        class="staffing-cards"
        style={`grid-template-columns:repeat(${Math.max(1, byQueue.size)},minmax(0,1fr))`}
      >
        {[...byQueue.entries()].map(([queue, rows]) => (
          <section class="tile staffing-card">
            <header class="tile-title">
              <span>{m.queue(queue)}</span>
            </header>
            <table class="staffing-table">
              <thead>
                <tr>
                  <th />
                  <th>{m.t('forecast')}</th>
                  <th>{m.t('actual')}</th>
                  <th>{m.t('required')}</th>
                  <th>{m.t('online')}</th>
                  <th>{m.t('gap')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, 4).map((row, hour) => {
                  const path = `staffing.${queue}.${hour}`;
                  return (
                    <tr class={hour === 0 ? 'row-now' : ''}>
                      <th>{hour === 0 ? m.t('now') : hourOf(row.hourStart)}</th>
                      <td>
                        <MetricValue
                          metric={`${path}.forecastArrivals`}
                          value={row.forecastArrivals}
                          text={formatCount(row.forecastArrivals)}
                          size="small"
                        />
                      </td>
                      <td>
                        {hour === 0 ? (
                          <MetricValue
                            metric={`${path}.actualArrivals`}
                            value={row.actualArrivals}
                            text={formatCount(row.actualArrivals)}
                            size="small"
                          />
                        ) : (
                          '·'
                        )}
                      </td>
                      <td>
                        <MetricValue
                          metric={`${path}.requiredAgents`}
                          value={row.requiredAgents}
                          text={formatCount(row.requiredAgents)}
                          size="small"
                        />
                      </td>
                      <td>
                        <MetricValue
                          metric={`${path}.onlineAgents`}
                          value={row.onlineAgents}
                          text={formatCount(row.onlineAgents)}
                          size="small"
                        />
                      </td>
                      <td>
                        <MetricValue
                          metric={`${path}.gap`}
                          value={row.gap}
                          text={formatSigned(row.gap)}
                          level={gapLevel(row.gap)}
                          size="small"
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {typeof rows[0]?.['projectedServiceLevel'] === 'number' && (
              <div class="staffing-note">
                {m.t('serviceLevel')} ({m.t('now')}):{' '}
                <MetricValue
                  metric={`staffing.${queue}.0.projectedServiceLevel`}
                  value={rows[0]['projectedServiceLevel'] as number}
                  text={formatPercent(rows[0]['projectedServiceLevel'] as number, 0)}
                  size="small"
                />
              </div>
            )}
          </section>
        ))}
      </div>
    </div>
  );
}
