// Visitor figures drawn as the portal and the staff console show them: a row of totals and a
// bar chart of one figure per day, as inline SVG built with lib.js's `svg` (no library, no
// markup parsed, styled by class from insights.css so it runs under the page's CSP).

import { h, svg } from '/lib.js';

/** The figures a day or a total carries, in the order they are shown, with their labels. */
export const METRICS = [
  { key: 'visits', label: 'Visits', unit: 'visits' },
  { key: 'dwell_seconds', label: 'Time spent', unit: 'time spent', duration: true },
  { key: 'media_plays', label: 'Video plays', unit: 'video plays' },
  { key: 'brochure_downloads', label: 'Brochure downloads', unit: 'brochure downloads' },
  { key: 'model_views', label: 'Model views', unit: 'model views' },
];

/** Seconds as "1 h 05 min", "12 min 30 s" or "45 s". */
export function formatDuration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min${s % 60 ? ` ${String(s % 60).padStart(2, '0')} s` : ''}`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatMetric(metric, value) {
  return metric.duration ? formatDuration(value) : value.toLocaleString('en-GB');
}

/** The totals as tiles, with the average time per visit. */
export function totalsTiles(totals) {
  const tiles = METRICS.map((metric) => [metric.label, formatMetric(metric, totals[metric.key] ?? 0), metric.key]);
  const perVisit = totals.visits ? formatDuration(totals.dwell_seconds / totals.visits) : '–';
  tiles.splice(2, 0, ['Time per visit', perVisit, 'per_visit']);
  return h('dl', { className: 'figures' }, tiles.map(([label, value, key]) => h('div', { dataset: { figure: key } },
    h('dt', { textContent: label }), h('dd', { textContent: value }))));
}

// Axis steps: the smallest "nice" step that keeps about four grid lines.
function niceStep(max) {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? rough;
}

const shortDay = (day) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * A bar chart of `metric` over `days` (`[{ day, counts }]`, oldest first): bars with a title
 * each (the figure on hover), a value axis with grid lines and day labels along the bottom.
 * `width` and `height` are in the units of the labels: a narrow place wants a narrow chart.
 */
export function dailyChart(days, metric, { width = 720, height = 240 } = {}) {
  const pad = { left: 56, right: 12, top: 14, bottom: 30 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const values = days.map((d) => d.counts[metric.key] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  const peak = Math.max(...values, 0);
  // Durations are drawn in minutes, counts as they are.
  const scale = metric.duration ? 60 : 1;
  const step = niceStep(Math.max(peak / scale, 4));
  const top = Math.max(step * Math.ceil(peak / scale / step), step * 4);
  const y = (value) => pad.top + plotH - (value / scale / top) * plotH;
  const slot = plotW / Math.max(days.length, 1);
  const barW = Math.max(2, Math.min(28, slot * 0.72));
  const parts = [];
  for (let tick = 0; tick <= top + 1e-9; tick += step) {
    const ty = pad.top + plotH - (tick / top) * plotH;
    parts.push(svg('line', { class: tick === 0 ? 'chart-axis' : 'chart-grid', x1: pad.left, x2: width - pad.right, y1: ty, y2: ty }));
    parts.push(svg('text', { class: 'chart-tick', x: pad.left - 8, y: ty + 4, 'text-anchor': 'end' },
      metric.duration ? `${Math.round(tick)} min` : Math.round(tick).toLocaleString('en-GB')));
  }
  const labelEvery = Math.ceil(days.length / Math.max(2, Math.floor(plotW / 80)));
  days.forEach((d, i) => {
    const value = values[i];
    const x = pad.left + slot * i + (slot - barW) / 2;
    const barTop = y(value);
    parts.push(svg('rect', {
      class: value ? 'chart-bar' : 'chart-bar chart-bar-empty',
      x, y: value ? barTop : pad.top + plotH - 1, width: barW, height: value ? pad.top + plotH - barTop : 1,
      dataset: { day: d.day, value },
    }, svg('title', {}, `${shortDay(d.day)}: ${formatMetric(metric, value)}`)));
    // Every few days, keeping clear of the last day, which is always labelled.
    const last = i === days.length - 1;
    if (last || (i % labelEvery === 0 && days.length - 1 - i >= labelEvery / 2)) {
      parts.push(svg('text', { class: 'chart-day', x: x + barW / 2, y: height - 10, 'text-anchor': 'middle' }, shortDay(d.day)));
    }
  });
  const summary = `${metric.label} per day from ${days[0]?.day ?? ''} to ${days.at(-1)?.day ?? ''}: ${formatMetric(metric, total)} in all, at most ${formatMetric(metric, peak)} on one day`;
  return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary, dataset: { metric: metric.key, total } },
    svg('title', {}, summary), ...parts);
}
