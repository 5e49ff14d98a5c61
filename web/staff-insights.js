// The staff console's visitor figures: the hall's totals and daily visits over a period, and
// the busiest booths, from GET /api/v1/staff/stats (names from the public exhibitor list).

import { $, api, h } from '/lib.js';
import { METRICS, dailyChart, formatDuration, totalsTiles } from '/stats-chart.js';

const names = new Map();

/** Fills the visitors card; `call` is the console's API call with the staff session. */
export async function showHallStats(call) {
  const select = $('hall-stats-period');
  if (!select.dataset.bound) {
    select.dataset.bound = 'yes';
    select.addEventListener('change', () => showHallStats(call));
  }
  const days = Number(select.value);
  const from = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  let stats;
  try {
    if (!names.size) {
      for (const e of await api('/api/v1/exhibitors')) names.set(e.slug, e.name);
    }
    stats = await call(`/api/v1/staff/stats?from=${from}&busiest=10`);
  } catch (error) {
    $('hall-stats-status').textContent = `The figures could not be loaded: ${error.message}`;
    return;
  }
  $('hall-stats-status').textContent = `${stats.from} to ${stats.to} (UTC)`;
  $('hall-stats-totals').replaceChildren(totalsTiles(stats.totals));
  $('hall-stats-chart').replaceChildren(dailyChart(stats.days, METRICS[0], { width: 380, height: 200 }));
  $('hall-busiest').replaceChildren(stats.busiest.length
    ? h('table', { className: 'busiest' },
      h('thead', {}, h('tr', {}, ['Booth', 'Visits', 'Time spent', 'Per visit'].map((t) => h('th', { scope: 'col', textContent: t })))),
      h('tbody', {}, stats.busiest.map(({ booth, counts }) => h('tr', { dataset: { booth } },
        h('td', { textContent: names.get(booth) ?? booth }),
        h('td', { textContent: counts.visits }),
        h('td', { textContent: formatDuration(counts.dwell_seconds) }),
        h('td', { textContent: formatDuration(counts.dwell_seconds / Math.max(counts.visits, 1)) })))))
    : h('p', { className: 'staff-muted', textContent: 'No visits in this period yet.' }));
}
