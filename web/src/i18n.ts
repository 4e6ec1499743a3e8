/** Board labels in English and Simplified Chinese; the refund path names follow the Tmall wording. */
import type { Lang } from './state/params.ts';

const en = {
  title: 'Customer service',
  allShops: 'All shops',
  asOf: 'as of',
  live: 'LIVE',
  stale: 'STALE',
  offline: 'OFFLINE',
  staleNoUpdate: 'No update for {n} s',
  staleLag: 'Data is {n} s behind',
  offlineRetry: 'Connection lost — reconnecting',
  boardOverview: 'Overview',
  boardRefunds: 'Refunds',
  boardStaffing: 'Staffing',
  alarmHold: 'Alarm — rotation held',
  queueDepth: 'waiting',
  oldestWait: 'Oldest wait',
  unansweredOver30m: 'Unanswered ≥ 30 min',
  agentsOnline: 'Agents online',
  awaitingResponse: 'awaiting response',
  refundDesk: 'Refund desk',
  completionByPath: 'Refund completion, 30-day average',
  target: 'target',
  days: 'd',
  open: 'open',
  p90: 'p90',
  firstResponse: 'first response',
  staffingGap: 'Staffing gap',
  now: 'now',
  short: 'short',
  spare: 'spare',
  covered: 'covered',
  required: 'required',
  online: 'online',
  forecast: 'forecast',
  actual: 'actual',
  serviceLevel: 'service level',
  noAlerts: 'No alerts',
  alerts: 'Alerts',
  since: 'since',
  rates30d: '30-day rates',
  refundRate: 'Refund rate',
  disputeRate: 'Dispute rate',
  qualityRefundRate: 'Quality refunds',
  experienceRefundRate: 'Product experience',
  firstResponse60m: 'First response, 60 min avg',
  abandoned60m: 'Abandoned, 60 min',
  supervisor: 'Supervisor',
  oldestChats: 'Oldest unanswered chats',
  oldestRefunds: 'Oldest unanswered refunds',
  agentsPerQueue: 'Agents online per queue',
  staffingTable: 'Staffing by queue and hour',
  whatIf: 'What if',
  queue: 'Queue',
  hour: 'Hour',
  addAgents: 'Add agents',
  run: 'Predict',
  before: 'before',
  after: 'after',
  none: 'None',
  id: 'ID',
  wait: 'Wait',
  agent: 'Agent',
  gap: 'gap',
  toMove: 'to move',
  loadFailed: 'Could not load',
} as const;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  title: '客服实时看板',
  allShops: '全部店铺',
  asOf: '截至',
  live: '实时',
  stale: '数据过期',
  offline: '已断开',
  staleNoUpdate: '已 {n} 秒未更新',
  staleLag: '数据延迟 {n} 秒',
  offlineRetry: '连接中断，正在重连',
  boardOverview: '总览',
  boardRefunds: '退款',
  boardStaffing: '排班',
  alarmHold: '告警 — 已暂停轮播',
  queueDepth: '排队中',
  oldestWait: '最长等待',
  unansweredOver30m: '超 30 分钟未回复',
  agentsOnline: '在线客服',
  awaitingResponse: '待响应',
  refundDesk: '退款处理',
  completionByPath: '退款完结时长（近 30 天平均）',
  target: '目标',
  days: '天',
  open: '处理中',
  p90: 'p90',
  firstResponse: '首次响应',
  staffingGap: '人力缺口',
  now: '当前',
  short: '缺',
  spare: '富余',
  covered: '满足',
  required: '需要',
  online: '在线',
  forecast: '预测',
  actual: '实际',
  serviceLevel: '服务水平',
  noAlerts: '无告警',
  alerts: '告警',
  since: '起于',
  rates30d: '近 30 天比率',
  refundRate: '退款率',
  disputeRate: '纠纷率',
  qualityRefundRate: '质量退款率',
  experienceRefundRate: '商品体验退款率',
  firstResponse60m: '首次响应（60 分钟平均）',
  abandoned60m: '60 分钟内放弃',
  supervisor: '主管视图',
  oldestChats: '最久未回复的会话',
  oldestRefunds: '最久未响应的退款',
  agentsPerQueue: '各队列在线客服',
  staffingTable: '各队列逐小时排班',
  whatIf: '模拟调整',
  queue: '队列',
  hour: '时段',
  addAgents: '增加人数',
  run: '预测',
  before: '调整前',
  after: '调整后',
  none: '无',
  id: '编号',
  wait: '等待',
  agent: '客服',
  gap: '缺口',
  toMove: '需调入',
  loadFailed: '加载失败',
};

const QUEUE_NAMES: Record<Lang, Record<string, string>> = {
  en: { presale: 'Pre-sales chat', aftersale: 'After-sales chat', refund: 'Refund desk' },
  'zh-CN': { presale: '售前', aftersale: '售后', refund: '退款' },
};

/** Queue names for narrow places (row headers of the gap bars). */
const QUEUE_SHORT_NAMES: Record<Lang, Record<string, string>> = {
  en: { presale: 'Pre-sales', aftersale: 'After-sales', refund: 'Refunds' },
  'zh-CN': { presale: '售前', aftersale: '售后', refund: '退款' },
};

const PATH_NAMES: Record<Lang, Record<string, string>> = {
  en: {
    unshipped: 'Not shipped, refund only',
    in_transit: 'Shipped, refund only',
    received_refund_only: 'Received, refund only',
    return_refund: 'Return and refund',
    all: 'All paths',
  },
  'zh-CN': {
    unshipped: '未发货仅退款',
    in_transit: '已发货仅退款',
    received_refund_only: '已收货仅退款',
    return_refund: '退货退款',
    all: '全部',
  },
};

export interface Messages {
  lang: Lang;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  queue(name: string): string;
  queueShort(name: string): string;
  path(name: string): string;
}

export function messagesFor(lang: Lang): Messages {
  const table: Record<MessageKey, string> = lang === 'zh-CN' ? zhCN : en;
  return {
    lang,
    t: (key, values) =>
      table[key].replace(/\{(\w+)\}/g, (_match, name: string) => String(values?.[name] ?? `{${name}}`)),
    queue: (name) => QUEUE_NAMES[lang][name] ?? name,
    queueShort: (name) => QUEUE_SHORT_NAMES[lang][name] ?? name,
    path: (name) => PATH_NAMES[lang][name] ?? name,
  };
}
