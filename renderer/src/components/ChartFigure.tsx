import { Suspense, useEffect, useRef, type ReactNode } from 'react';
import type { PathColors } from '../lib/pathColors.ts';
import { PathDot } from './Bars.tsx';
import { Loading } from './States.tsx';

/*
 * The HTML around a chart: the box it draws in (an image to a screen reader, with the text it
 * stands for) and the legend below it. The charts themselves load lazily with recharts, so the
 * box shows a spinner until they arrive; nothing here imports recharts.
 */

/**
 * The box a chart draws in; `label` says in words what the chart shows. The box is the chart's one
 * Tab stop (the chart itself has none), so a keyboard passes a chart in one step and hears it.
 */
export function ChartBox({
  label,
  small = false,
  children,
}: {
  label: string;
  small?: boolean;
  children: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    // Chromium lets Tab stop inside recharts' drawing (its layers of <g>): nothing in the drawing
    // is a stop, redrawn or not; the box is.
    const quiet = (): void => {
      for (const part of element.querySelectorAll('svg, svg *')) {
        if (part.getAttribute('tabindex') !== '-1') part.setAttribute('tabindex', '-1');
      }
    };
    quiet();
    const observer = new MutationObserver(quiet);
    observer.observe(element, { subtree: true, childList: true });
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={box}
      className={small ? 'chart-box chart-box-sm' : 'chart-box'}
      role="img"
      aria-label={label}
      tabIndex={0}
    >
      <Suspense fallback={<Loading label="Loading chart…" />}>{children}</Suspense>
    </div>
  );
}

/** A chart with its legend: one entry per path in its colour, with an optional figure after the name. */
export function ChartFigure({
  label,
  paths,
  colors,
  value,
  children,
}: {
  label: string;
  paths: string[];
  colors: PathColors;
  value?: (path: string) => string;
  children: ReactNode;
}) {
  return (
    <figure className="chart-figure">
      <ChartBox label={label}>{children}</ChartBox>
      <figcaption className="legend">
        {paths.map((name) => (
          <span key={name} className="legend-item">
            <PathDot color={colors(name)} /> {name}
            {value && <span className="legend-value">{value(name)}</span>}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
