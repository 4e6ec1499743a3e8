/** A labelled secondary number inside a tile. */
import type { ComponentChildren } from 'preact';
import type { Level } from '../levels.ts';

export function Fact({
  label,
  level = 'none',
  children,
}: {
  label: string;
  level?: Level;
  children: ComponentChildren;
}) {
  return (
    <div class={`fact fact-${level}`}>
      <div class="fact-label">{label}</div>
      <div class="fact-value">{children}</div>
    </div>
  );
}
