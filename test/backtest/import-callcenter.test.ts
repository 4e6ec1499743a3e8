import { describe, expect, it } from 'vitest';
import { convertCallLog, UNIDENTIFIED_AGENT } from '../../scripts/lib/backtest/callcenter/convert-calls.ts';
import { runBacktest } from '../../scripts/lib/backtest/index.ts';

const HEADER =
  'vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver';
const row = (fields: string): string => `${fields.split(' ').join('\t')}\r`;

// Hand-written rows, one per case the importer must handle (CRLF endings, as in the real file).
const LOG = [
  `${HEADER}\r`,
  row('AA0101 1 555 2 NW 990201 9:00:00 9:00:10 10 9:00:10 9:01:00 50 AGENT 9:01:00 9:05:00 240 DORIT'),
  // Served without queueing; service starts 1 s before the voice menu's exit (clock skew).
  row('AA0101 2 0 0 PS 990201 9:10:00 9:10:10 10 0:00:00 0:00:00 0 AGENT 9:10:09 9:12:00 111 DORIT'),
  row('AA0101 3 0 0 PS 990201 9:20:00 9:20:05 5 0:00:00 0:00:00 0 PHANTOM 0:00:00 0:00:00 0 NO_SERVER'),
  row('AA0101 4 0 0 PS 990201 9:30:00 9:29:50 -10 0:00:00 0:00:00 0 AGENT 9:30:00 9:31:00 60 DORIT'),
  // Hung up in the queue: an abandoned chat.
  row('AA0101 5 0 0 PS 990201 9:40:00 9:40:10 10 9:40:10 9:42:10 120 HANG 0:00:00 0:00:00 0 NO_SERVER'),
  // Hung up in the voice menu: self-service, no chat.
  row('AA0101 6 0 0 PS 990201 9:50:00 9:50:30 30 0:00:00 0:00:00 0 HANG 0:00:00 0:00:00 0 NO_SERVER'),
  row(
    'AA0101 7 0 0 IN 990201 10:00:00 10:00:10 10 10:00:10 10:00:20 10 AGENT 10:00:20 10:00:50 30 NO_SERVER',
  ),
  // Service crossing midnight; the same call id on another unit is another call.
  row('AA0102 1 0 0 PS 990201 23:58:00 23:58:10 10 23:58:10 23:59:50 100 AGENT 23:59:50 0:01:10 80 DORIT'),
  // Service times not recorded.
  row('AA0102 2 0 0 PS 990201 22:00:00 22:00:10 10 22:00:10 22:00:40 30 AGENT 0:00:00 0:00:00 0 DORIT'),
];

type Event = Record<string, unknown> & { id: string; type: string; ts: string };

describe('call-centre importer', () => {
  const { lines, report } = convertCallLog(LOG, { timeZone: 'Asia/Jerusalem', shop: 'anonbank' });
  const events = lines.map((line) => JSON.parse(line) as Event);
  const ofChat = (chatId: string): Event[] => events.filter((event) => event.chat_id === chatId);

  it('should drop PHANTOM rows and rows with a negative menu time, and make no chat of self-service', () => {
    expect(report).toMatchObject({
      rows: 9,
      phantom: 1,
      negativeVruTime: 1,
      selfService: 1,
      chats: 6,
      unreadable: 0,
    });
    expect(events.some((event) => String(event.chat_id).includes('-3'))).toBe(false);
    expect(ofChat('990201-AA0101-6')).toEqual([]);
  });

  it('should start a queued call when it joins the queue and close it at service end, in presale for NW', () => {
    expect(
      ofChat('990201-AA0101-1').map((event) => [event.type, event.ts, event.queue ?? event.agent_id ?? null]),
    ).toEqual([
      ['chat.started', '1999-02-01T09:00:10.000+02:00', 'presale'],
      ['chat.message', '1999-02-01T09:01:00.000+02:00', 'DORIT'],
      ['chat.closed', '1999-02-01T09:05:00.000+02:00', null],
    ]);
  });

  it('should move a service start that is a second early (clock skew) to the chat start', () => {
    const [started, answered] = ofChat('990201-AA0101-2');
    expect(started).toMatchObject({
      type: 'chat.started',
      ts: '1999-02-01T09:10:10.000+02:00',
      queue: 'aftersale',
    });
    expect(answered).toMatchObject({
      type: 'chat.message',
      from: 'agent',
      ts: '1999-02-01T09:10:10.000+02:00',
    });
    expect(report.skewClamped).toBe(1);
  });

  it('should close an abandoned call with no agent message', () => {
    expect(ofChat('990201-AA0101-5').map((event) => [event.type, event.ts])).toEqual([
      ['chat.started', '1999-02-01T09:40:10.000+02:00'],
      ['chat.closed', '1999-02-01T09:42:10.000+02:00'],
    ]);
  });

  it('should keep NO_SERVER services as answered by an unidentified agent who never gets a status', () => {
    expect(ofChat('990201-AA0101-7')[1]).toMatchObject({ agent_id: UNIDENTIFIED_AGENT });
    expect(
      events.some((event) => event.type === 'agent.status' && event.agent_id === UNIDENTIFIED_AGENT),
    ).toBe(false);
    expect(report.noServer).toBe(1);
  });

  it('should put a service end after midnight on the next day, and an unrecorded service at the queue exit', () => {
    expect(ofChat('990201-AA0102-1').at(-1)).toMatchObject({
      type: 'chat.closed',
      ts: '1999-02-02T00:01:10.000+02:00',
    });
    expect(
      ofChat('990201-AA0102-2')
        .slice(1)
        .map((event) => event.ts),
    ).toEqual(['1999-02-01T22:00:40.000+02:00', '1999-02-01T22:00:40.000+02:00']);
    expect(report.crossedMidnight).toBe(1);
    expect(report.serviceUnrecorded).toBe(1);
  });

  it('should mark agents online from their first service of the day to the end of their last', () => {
    const statuses = events.filter((event) => event.type === 'agent.status');
    expect(statuses.map((event) => [event.agent_id, event.status, event.ts, event.queues])).toEqual([
      ['DORIT', 'online', '1999-02-01T09:01:00.000+02:00', ['aftersale', 'presale']],
      ['DORIT', 'offline', '1999-02-02T00:01:10.000+02:00', ['aftersale', 'presale']],
    ]);
  });

  it('should write events in time order with a clock tick at least every 5 minutes, all accepted', () => {
    const times = events.map((event) => Date.parse(event.ts));
    for (let index = 1; index < times.length; index += 1) {
      expect(times[index] as number).toBeGreaterThanOrEqual(times[index - 1] as number);
      expect((times[index] as number) - (times[index - 1] as number)).toBeLessThanOrEqual(300_000);
    }
    const { summary } = runBacktest(lines, { timeZone: 'Asia/Jerusalem', stepMs: 3_600_000 });
    expect(summary.totals).toMatchObject({ accepted: lines.length, duplicates: 0, rejected: 0 });
  });
});
