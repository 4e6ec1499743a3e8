/**
 * The oldest waiting chats or refunds from GET /api/unanswered, refreshed every few seconds; between
 * fetches the ages keep ticking from the fetch time so a supervisor never reads a frozen wait.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { Messages } from '../i18n.ts';
import { formatWait } from '../format.ts';
import { UNANSWERED_SEC } from '../levels.ts';
import { LevelIcon } from '../components/level-icon.tsx';

export interface UnansweredItem {
  id: string;
  /** The item's shop (the real server sends it; ids are unique per shop only). */
  shop?: string;
  queue?: string;
  path?: string;
  waitSec: number;
  agentId?: string | null;
}

const REFRESH_MS = 5_000;

export function UnansweredList({
  kind,
  shop,
  m,
  title,
}: {
  kind: 'chat' | 'refund';
  shop: string | null;
  m: Messages;
  title: string;
}) {
  const items = useSignal<UnansweredItem[] | null>(null);
  const fetchedAtMs = useSignal(0);
  const nowMs = useSignal(Date.now());
  const failed = useSignal(false);

  useEffect(() => {
    let cancelled = false;
    const load = async (): Promise<void> => {
      try {
        const query = new URLSearchParams({ kind, limit: '20' });
        if (shop !== null) query.set('shop', shop);
        const response = await fetch(`/api/unanswered?${query}`);
        if (!response.ok) throw new Error(String(response.status));
        const body = (await response.json()) as { items?: UnansweredItem[] };
        if (cancelled) return;
        items.value = body.items ?? [];
        fetchedAtMs.value = Date.now();
        failed.value = false;
      } catch {
        if (!cancelled) failed.value = true;
      }
    };
    void load();
    const refresh = setInterval(() => void load(), REFRESH_MS);
    const tick = setInterval(() => (nowMs.value = Date.now()), 1_000);
    return () => {
      cancelled = true;
      clearInterval(refresh);
      clearInterval(tick);
    };
  }, [kind, shop]);

  const elapsedSec = Math.max(0, (nowMs.value - fetchedAtMs.value) / 1000);
  return (
    <section class="panel unanswered-panel" data-kind={kind}>
      <h2>
        {title}
        {failed.value && <span class="panel-error"> · {m.t('loadFailed')}</span>}
      </h2>
      <div class="panel-scroll">
        <table class="data-table">
          <thead>
            <tr>
              {shop === null && <th>{m.t('shop')}</th>}
              <th>{m.t('id')}</th>
              <th>{kind === 'chat' ? m.t('queue') : m.t('boardRefunds')}</th>
              <th class="num">{m.t('wait')}</th>
              <th>{m.t('agent')}</th>
            </tr>
          </thead>
          <tbody>
            {(items.value ?? []).map((item) => {
              const waitSec = item.waitSec + elapsedSec;
              const level = waitSec >= UNANSWERED_SEC ? 'red' : 'ok';
              return (
                <tr class={`level-${level}`} data-item={item.id} data-shop={item.shop}>
                  {shop === null && <td class="mono">{item.shop ?? '—'}</td>}
                  <td class="mono">{item.id}</td>
                  <td>{kind === 'chat' ? m.queueShort(item.queue ?? '') : m.path(item.path ?? '')}</td>
                  <td class="num">
                    <span class={`age level-${level}`} data-wait-sec={Math.floor(waitSec)}>
                      {level === 'red' && <LevelIcon level="red" />}
                      {formatWait(waitSec)}
                    </span>
                  </td>
                  <td title={item.agentId ?? undefined}>{item.agentId ?? '—'}</td>
                </tr>
              );
            })}
            {items.value !== null && items.value.length === 0 && (
              <tr>
                <td colSpan={shop === null ? 5 : 4} class="empty">
                  {m.t('none')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
