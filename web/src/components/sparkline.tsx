/**
 * A two-hour uPlot line of one column from the server's series (the browser only draws). The live
 * value is appended as the last point so the line ends where the big number stands. One uPlot
 * instance per mount; data changes go through one setData per render.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SparklineProps {
  xs: readonly (number | null)[];
  ys: readonly (number | null)[];
  /** The current value and its instant (epoch seconds), drawn as the final point. */
  liveX: number;
  liveY: number;
  color: string;
}

export function Sparkline({ xs, ys, liveX, liveY, color }: SparklineProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  const columns = (): uPlot.AlignedData => {
    const x = xs.map((v) => v ?? 0);
    const y = [...ys];
    if (x.length === 0 || liveX > (x.at(-1) ?? 0)) {
      x.push(liveX);
      y.push(liveY);
    }
    return [x, y];
  };

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const size = (): { width: number; height: number } => ({
      width: Math.max(10, element.clientWidth),
      height: Math.max(10, element.clientHeight),
    });
    const options: uPlot.Options = {
      ...size(),
      pxAlign: 0,
      cursor: { show: false },
      legend: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.15)] } },
      // Line weight follows the screen, not the chart: 3 px at 1080p, 6 px at 2160p.
      series: [
        {},
        {
          stroke: color,
          fill: `${color}33`,
          width: Math.max(2, window.innerHeight / 360),
          points: { show: false },
        },
      ],
    };
    plot.current = new uPlot(options, columns(), element);
    // TVs rarely resize, but the first layout can settle after mount (fonts, grid).
    const observer = new ResizeObserver(() => plot.current?.setSize(size()));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // The plot is built once; data flows through setData below.
  }, [color]);

  useEffect(() => {
    plot.current?.setData(columns());
  }, [xs, ys, liveX, liveY]);

  return <div class="sparkline" ref={host} />;
}
