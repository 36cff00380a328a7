/**
 * Apache ECharts, only the parts these views use (tree-shaken by esbuild): line and bar over a time axis
 * with zoom (dataZoom), the weekday x hour heatmap (visualMap), the reply network (graph), its built-in
 * dark theme. Tooltips render as rich text on the canvas, so no name or text ever becomes HTML.
 */
import * as echarts from 'echarts/core';
import { BarChart, GraphChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, HeatmapChart, GraphChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, VisualMapComponent, AriaComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

const live = new Map<string, echarts.ECharts>();
let dark = false;

export function setDark(on: boolean): void {
  dark = on;
}

/** Draws (or redraws) a chart in an element; charts are keyed by the element's data-chart name. */
export function draw(el: HTMLElement, name: string, option: ChartOption): echarts.ECharts {
  el.setAttribute('data-chart', name);
  let chart = live.get(name);
  if (chart && (chart.getDom() !== el || chart.isDisposed())) {
    chart.dispose();
    chart = undefined;
  }
  if (!chart) {
    chart = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
    live.set(name, chart);
  }
  chart.setOption(
    {
      backgroundColor: 'transparent',
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
      tooltip: { renderMode: 'richText', confine: true },
      ...option,
    },
    { notMerge: true, lazyUpdate: false },
  );
  return chart;
}

/** Disposes every chart (view change, theme change). */
export function disposeAll(): void {
  for (const c of live.values()) c.dispose();
  live.clear();
}

export function resizeAll(): void {
  for (const c of live.values()) c.resize();
}

/** For tests and the console: the charts on the page by name. */
export function chartsByName(): ReadonlyMap<string, echarts.ECharts> {
  return live;
}
