/** Covers the board when its numbers cannot be trusted; the tiles underneath turn grey. */
import type { Messages } from '../i18n.ts';
import type { ConnectionState, StaleReason } from '../state/live-feed.ts';

export interface StaleBannerProps {
  m: Messages;
  connection: ConnectionState;
  reason: StaleReason;
  silentSec: number;
  lagSec: number;
}

export function StaleBanner({ m, connection, reason, silentSec, lagSec }: StaleBannerProps) {
  if (connection === 'live') return null;
  const detail =
    connection === 'offline'
      ? m.t('offlineRetry')
      : reason === 'ingest-lag'
        ? m.t('staleLag', { n: Math.round(lagSec) })
        : m.t('staleNoUpdate', { n: silentSec });
  return (
    <div class="stale-banner" role="alert" data-stale={connection}>
      <div class="stale-card">
        <svg class="stale-icon" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 2.5L23 21.5H1z" fill="currentColor" />
          <path d="M12 9v6M12 17.2v2" stroke="#111" stroke-width="2.6" />
        </svg>
        <div>
          <div class="stale-title">{m.t(connection === 'offline' ? 'offline' : 'stale')}</div>
          <div class="stale-detail">{detail}</div>
        </div>
      </div>
    </div>
  );
}
