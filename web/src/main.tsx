/** Entry: one bundle for /board (the TV) and /supervisor, chosen by the path. */
import { render } from 'preact';
import { BoardView } from './board/board-view.tsx';
import { messagesFor } from './i18n.ts';
import { startLiveFeed } from './state/live-feed.ts';
import { readParams } from './state/params.ts';
import { SupervisorView } from './supervisor/supervisor-view.tsx';
import './styles.css';

const params = readParams(window.location);
const m = messagesFor(params.lang);
document.documentElement.lang = params.lang;
document.title = `${m.t('title')} · Peakboard`;
const feed = startLiveFeed({ shop: params.shop });
const root = document.getElementById('app');
if (root !== null) {
  render(
    params.view === 'supervisor' ? (
      <SupervisorView feed={feed} params={params} m={m} />
    ) : (
      <BoardView feed={feed} params={params} m={m} />
    ),
    root,
  );
}
