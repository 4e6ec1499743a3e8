/**
 * The supervisor's desk view: where the gap is now and in the next hours, who waits longest, and
 * what moving agents would do. Same live feed and freshness rules as the TV board.
 */
import type { StaffingRow } from '../../../server/engine/aggregates.ts';
import type { LiveFeed } from '../state/live-feed.ts';
import type { KioskParams } from '../state/params.ts';
import type { Messages } from '../i18n.ts';
import { HeaderBar } from '../components/header-bar.tsx';
import { StaleBanner } from '../components/stale-banner.tsx';
import { MetricValue } from '../components/metric-value.tsx';
import { formatCount, formatPercent, formatSigned, hourOf } from '../format.ts';
import { gapLevel, staffingByQueue } from '../levels.ts';
import { UnansweredList } from './unanswered-list.tsx';
import { WhatIfForm } from './what-if-form.tsx';

export function SupervisorView({ feed, params, m }: { feed: LiveFeed; params: KioskParams; m: Messages }) {
  const data = feed.data.value;
  const connection = feed.connection.value;
  const byQueue = data === null ? new Map<string, StaffingRow[]>() : staffingByQueue(data);
  return (
    <main class="supervisor" data-connection={connection} lang={m.lang}>
      <HeaderBar
        m={m}
        shop={params.shop}
        asOf={data?.asOf}
        connection={connection}
        title={`${m.t('title')} · ${m.t('supervisor')}`}
      />
      <div class="supervisor-body">
        <div class="supervisor-column">
          <section class="panel agents-panel">
            <h2>{m.t('agentsPerQueue')}</h2>
            <div class="agents-grid">
              {data !== null &&
                Object.entries(data.chat.queues).map(([queue, stats]) => (
                  <div class="agents-cell">
                    <div class="agents-queue">{m.queue(queue)}</div>
                    <MetricValue
                      metric={`chat.queues.${queue}.agentsOnline`}
                      value={stats.agentsOnline}
                      text={formatCount(stats.agentsOnline)}
                      size="medium"
                    />
                  </div>
                ))}
              {byQueue.has('refund') && (
                <div class="agents-cell">
                  <div class="agents-queue">{m.queue('refund')}</div>
                  <MetricValue
                    metric="staffing.refund.0.onlineAgents"
                    value={byQueue.get('refund')?.[0]?.onlineAgents ?? null}
                    text={formatCount(byQueue.get('refund')?.[0]?.onlineAgents)}
                    size="medium"
                  />
                </div>
              )}
            </div>
          </section>
          <UnansweredList kind="chat" shop={params.shop} m={m} title={m.t('oldestChats')} />
          <UnansweredList kind="refund" shop={params.shop} m={m} title={m.t('oldestRefunds')} />
        </div>
        <div class="supervisor-column">
          <section class="panel staffing-panel">
            <h2>{m.t('staffingTable')}</h2>
            <div class="panel-scroll">
              <table class="data-table">
                <thead>
                  <tr>
                    <th>{m.t('queue')}</th>
                    <th>{m.t('hour')}</th>
                    <th class="num">{m.t('forecast')}</th>
                    <th class="num">{m.t('actual')}</th>
                    <th class="num">{m.t('required')}</th>
                    <th class="num">{m.t('online')}</th>
                    <th class="num">{m.t('gap')}</th>
                    <th class="num">{m.t('serviceLevel')}</th>
                    <th class="num">{m.t('toMove')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...byQueue.entries()].flatMap(([queue, rows]) =>
                    rows.map((row, hour) => {
                      const sl = row['projectedServiceLevel'];
                      const move = row['agentsToMove'];
                      return (
                        <tr class={hour === 0 ? 'row-now' : ''}>
                          <td class="nowrap">{hour === 0 ? m.queueShort(queue) : ''}</td>
                          <td class="nowrap">
                            {hour === 0 ? `${m.t('now')} ${hourOf(row.hourStart)}` : hourOf(row.hourStart)}
                          </td>
                          <td class="num">{formatCount(row.forecastArrivals)}</td>
                          <td class="num">{hour === 0 ? formatCount(row.actualArrivals) : '·'}</td>
                          <td class="num">{formatCount(row.requiredAgents)}</td>
                          <td class="num">{formatCount(row.onlineAgents)}</td>
                          <td class="num">
                            <MetricValue
                              metric={`staffing.${queue}.${hour}.gap`}
                              value={row.gap}
                              text={formatSigned(row.gap)}
                              level={gapLevel(row.gap)}
                              size="small"
                            />
                          </td>
                          <td class="num">{typeof sl === 'number' ? formatPercent(sl, 0) : '—'}</td>
                          <td class="num">{typeof move === 'number' ? formatCount(move) : '—'}</td>
                        </tr>
                      );
                    }),
                  )}
                </tbody>
              </table>
            </div>
          </section>
          <WhatIfForm rows={data?.staffing ?? []} token={params.token} m={m} />
        </div>
      </div>
      <StaleBanner
        m={m}
        connection={connection}
        reason={feed.staleReason.value}
        silentSec={feed.silentSec.value}
        lagSec={data?.ingest.lagSec ?? 0}
      />
    </main>
  );
}
