/** The shape that doubles each colour, so the level reads without colour vision: ✓, ▲, ✕-octagon. */
import type { Level } from '../levels.ts';

export function LevelIcon({ level }: { level: Level }) {
  if (level === 'none') return null;
  return (
    <svg class={`icon icon-${level}`} viewBox="0 0 24 24" aria-hidden="true">
      {level === 'ok' && <path d="M4 12.5l5 5L20 6.5" fill="none" stroke="currentColor" stroke-width="3.2" />}
      {level === 'amber' && (
        <>
          <path d="M12 2.5L23 21.5H1z" fill="currentColor" />
          <path d="M12 9v6M12 17.2v2" stroke="#111" stroke-width="2.6" />
        </>
      )}
      {level === 'red' && (
        <>
          <path d="M7.5 1.5h9l6 6v9l-6 6h-9l-6-6v-9z" fill="currentColor" />
          <path d="M12 6v8M12 16.5v2.5" stroke="#fff" stroke-width="3" />
        </>
      )}
    </svg>
  );
}
