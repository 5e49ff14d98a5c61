// The exhibitor portal's visitor figures: totals and a daily chart of the booth's visits, time
// spent, video plays, brochure downloads and model views from GET /api/v1/me/stats.

import { $, api, h } from '/lib.js';
import { METRICS, dailyChart, totalsTiles } from '/stats-chart.js';

const stats = { token: null, data: null };

function drawStats() {
  const metric = METRICS.find((m) => m.key === $('stats-metric').value) ?? METRICS[0];
  $('stats-totals').replaceChildren(totalsTiles(stats.data.totals));
  $('stats-chart').replaceChildren(dailyChart(stats.data.days, metric));
  $('stats-status').textContent = `${stats.data.from} to ${stats.data.to} (UTC)`;
}

/** Loads the figures of the last `days` days and draws them. */
async function loadStats(days = Number($('stats-period').value)) {
  const from = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  try {
    stats.data = await api(`/api/v1/me/stats?from=${from}`, { token: stats.token });
  } catch (error) {
    $('stats-status').textContent = `The figures could not be loaded: ${error.message}`;
    return;
  }
  drawStats();
}

/** Fills the visitors card for the booth signed in with `token`. */
export async function showInsights(token) {
  stats.token = token;
  if (!$('stats-metric').options.length) {
    $('stats-metric').replaceChildren(...METRICS.map((m) => h('option', { value: m.key, textContent: m.label })));
    $('stats-metric').addEventListener('change', () => stats.data && drawStats());
    $('stats-period').addEventListener('change', () => loadStats());
  }
  await loadStats();
}
