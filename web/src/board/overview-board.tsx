/** The default board: every queue's depth and age on top, staffing gap and refund completion below. */
import type { BoardData } from '../../../server/push/protocol.ts';
import { CompletionPanel } from '../components/completion-panel.tsx';
import { StaffingGapPanel } from '../components/staffing-gap-panel.tsx';
import type { Messages } from '../i18n.ts';
import { ChatQueueTiles, RefundDeskTile } from './queue-tiles.tsx';

export function OverviewBoard({ data, m }: { data: BoardData; m: Messages }) {
  const tileCount = Object.keys(data.chat.queues).length + 1;
  return (
    <div class="overview-board">
      <div class="queue-row" style={`grid-template-columns:repeat(${tileCount},minmax(0,1fr))`}>
        <ChatQueueTiles data={data} m={m} />
        <RefundDeskTile data={data} m={m} />
      </div>
      <div class="lower-row">
        <StaffingGapPanel data={data} m={m} />
        <CompletionPanel data={data} m={m} />
      </div>
    </div>
  );
}
