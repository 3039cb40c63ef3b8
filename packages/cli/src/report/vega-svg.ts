import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG string in Node (headless view, no canvas needed for SVG). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A line chart of `values` (x, y, series), one coloured line per series. */
export function lineChart(options: {
  title: string;
  values: Record<string, unknown>[];
  x: { field: string; title: string; scale?: 'linear' | 'log' };
  y: { field: string; title: string; scale?: 'linear' | 'log' };
  series: { field: string; title: string };
  /** Draw points instead of a line where the data are sparse. */
  points?: boolean;
  /** A piecewise-constant series (e.g. K): hold each value until the next point. */
  step?: boolean;
  /** Field that splits a series into separate lines (e.g. seed) without a legend entry. */
  detail?: string;
  /** A second layer drawn dashed (e.g. a fitted tail), with the same encodings. */
  dashed?: Record<string, unknown>[];
  /** Points drawn as open triangles, unjoined, with the same encodings (e.g. values off the scale at its edge). */
  markers?: Record<string, unknown>[];
}): TopLevelSpec {
  const encoding = {
    x: {
      field: options.x.field,
      type: 'quantitative',
      title: options.x.title,
      scale: { type: options.x.scale ?? 'linear' },
    },
    y: {
      field: options.y.field,
      type: 'quantitative',
      title: options.y.title,
      scale: options.y.scale === 'log' ? { type: 'log' } : { zero: false },
    },
    color: { field: options.series.field, type: 'nominal', title: options.series.title },
    ...(options.detail ? { detail: { field: options.detail, type: 'nominal' } } : {}),
  };
  const layers: unknown[] = [
    {
      data: { values: options.values },
      mark: {
        type: 'line',
        point: options.points === true,
        ...(options.step ? { interpolate: 'step-after' } : {}),
      },
      encoding,
    },
  ];
  if (options.dashed && options.dashed.length > 0) {
    layers.push({ data: { values: options.dashed }, mark: { type: 'line', strokeDash: [4, 3] }, encoding });
  }
  if (options.markers && options.markers.length > 0) {
    const { detail: _, ...unjoined } = encoding as Record<string, unknown>;
    layers.push({
      data: { values: options.markers },
      mark: { type: 'point', shape: 'triangle-up', filled: false, size: 40 },
      encoding: unjoined,
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 480,
    height: 280,
    layer: layers,
  } as unknown as TopLevelSpec;
}
