/** Kiosk URL flags: /board?shop=&lang=en|zh-CN&rotate=SECONDS&boards=overview,refunds,staffing&drift=1&dim=1 */

export type Lang = 'en' | 'zh-CN';
export type BoardName = 'overview' | 'refunds' | 'staffing';

export const BOARD_NAMES: readonly BoardName[] = ['overview', 'refunds', 'staffing'];

export interface KioskParams {
  view: 'board' | 'supervisor';
  shop: string | null;
  lang: Lang;
  /** Seconds per board; 0 = no rotation. */
  rotateSec: number;
  boards: BoardName[];
  drift: boolean;
  dim: boolean;
  /** Supervisor token for what-if, from ?token=. */
  token: string | null;
}

export function readParams(location: Location): KioskParams {
  const query = new URLSearchParams(location.search);
  const lang: Lang = (query.get('lang') ?? navigator.language).toLowerCase().startsWith('zh')
    ? 'zh-CN'
    : 'en';
  const boards = (query.get('boards') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is BoardName => (BOARD_NAMES as readonly string[]).includes(name));
  const rotateSec = Number(query.get('rotate') ?? '0');
  return {
    view: location.pathname.startsWith('/supervisor') ? 'supervisor' : 'board',
    shop: query.get('shop') || null,
    lang,
    rotateSec: Number.isFinite(rotateSec) && rotateSec > 0 ? Math.max(3, rotateSec) : 0,
    boards: boards.length > 0 ? boards : [...BOARD_NAMES],
    drift: query.get('drift') === '1',
    dim: query.get('dim') === '1',
    token: query.get('token'),
  };
}
