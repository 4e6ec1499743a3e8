/**
 * One number on the board. Carries `data-metric` (its path in API.md) and `data-value` (the raw
 * number, "" for null) so tests and screen scrapers read what a person sees.
 */
import type { ComponentChildren } from 'preact';
import { rawValue } from '../format.ts';
import type { Level } from '../levels.ts';
import { LevelIcon } from './level-icon.tsx';

export interface MetricValueProps {
  metric: string;
  value: number | null | undefined;
  text: string;
  level?: Level;
  /** Word shown after the number when the level is not ok (e.g. "short"): the text half of the colour. */
  levelWord?: string;
  size?: 'hero' | 'large' | 'medium' | 'small';
  /** False when the level icon is drawn elsewhere (e.g. beside the word under a narrow number). */
  icon?: boolean;
  /** Extra inline style, e.g. a custom property the stylesheet sizes the number by. */
  style?: string;
  children?: ComponentChildren;
}

export function MetricValue({
  metric,
  value,
  text,
  level = 'none',
  levelWord,
  size = 'medium',
  icon = true,
  style,
}: MetricValueProps) {
  return (
    <span
      class={`metric metric-${size} level-${level}`}
      data-metric={metric}
      data-value={rawValue(value)}
      data-level={level}
      style={style}
    >
      {icon && <LevelIcon level={level} />}
      <span class="metric-text">{text}</span>
      {levelWord !== undefined && <span class="metric-word">{levelWord}</span>}
    </span>
  );
}
