import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  readonly label: string;
  readonly color: string;
  /** Series on the same scale share an axis; a second scale gets an axis on the right. */
  readonly scale?: string;
  readonly format?: (value: number) => string;
}

const HEIGHT = 220;

/**
 * One time-series chart (uPlot, bundled with the page): x in seconds since
 * the epoch, one line per series, resized with its container.
 *
 * @example
 * const chart = new TimeChart(byId('chart-volume'), [{ label: 'rows', color: '#1f5f8b' }]);
 * chart.update([[1700000000, 1700000060], [10, 20]]);
 */
export class TimeChart {
  private plot: uPlot | undefined;
  private data: uPlot.AlignedData = [[]];

  constructor(
    private readonly container: HTMLElement,
    private readonly series: readonly SeriesSpec[],
  ) {
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(container);
  }

  /** Draws `data` over the time range `[from, to]` (seconds), whatever the samples cover. */
  update(data: uPlot.AlignedData, [from, to]: readonly [number, number]): void {
    this.data = data;
    // What the chart draws, in figures a reader (or a test) can check: each series' sum.
    this.container.dataset.sums = JSON.stringify(
      data.slice(1).map((column) => (column as Array<number | null>).reduce<number>((sum, value) => sum + (value ?? 0), 0)),
    );
    if (this.plot) {
      const plot = this.plot;
      plot.batch(() => {
        plot.setData(data);
        plot.setScale('x', { min: from, max: to });
      });
      return;
    }
    const scales = [...new Set(this.series.map((spec) => spec.scale ?? 'y'))];
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        scales: {
          x: { time: true },
          ...Object.fromEntries(scales.map((scale) => [scale, { range: (_u: uPlot, min: number, max: number) => [0, Math.max(1, max, min)] }])),
        },
        series: [
          { label: 'time' },
          ...this.series.map((spec) => ({
            label: spec.label,
            stroke: spec.color,
            width: 2,
            scale: spec.scale ?? 'y',
            spanGaps: false,
            // Sparse series (a file now and then) still show: a point per bucket with a value.
            points: { show: true, size: 5 },
            ...(spec.format ? { value: (_u: uPlot, value: number | null) => (value === null ? '–' : (spec.format as (v: number) => string)(value)) } : {}),
          })),
        ],
        axes: [
          {},
          ...scales.map((scale, index) => {
            const spec = this.series.find((candidate) => (candidate.scale ?? 'y') === scale);
            return {
              scale,
              side: index === 0 ? 3 : 1,
              size: 64,
              grid: { show: index === 0 },
              ...(spec?.format ? { values: (_u: uPlot, ticks: number[]) => ticks.map((tick) => (spec.format as (v: number) => string)(tick)) } : {}),
            };
          }),
        ],
        legend: { live: true },
      },
      this.data,
      this.container,
    );
    this.plot.setScale('x', { min: from, max: to });
  }

  private width(): number {
    return Math.max(240, this.container.clientWidth);
  }
}
