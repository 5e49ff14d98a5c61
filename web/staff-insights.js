// The staff console's visitor figures (the hall's totals and daily visits over a period, and
// the busiest booths, from GET /api/v1/staff/stats; names from the public exhibitor list) and
// how long visitors' messages to booths are kept (the lead retention admins set).

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

/**
 * Fills the leads card: the retention now and, for admins, the form that changes it (older
 * leads are deleted at once by the server).
 */
export async function showRetention(call, isAdmin) {
  const input = $('retention-days');
  try {
    input.value = (await api('/api/v1/leads/policy')).retention_days;
  } catch (error) {
    $('retention-status').textContent = `The retention could not be loaded: ${error.message}`;
  }
  input.disabled = !isAdmin;
  $('retention-form').querySelector('button').hidden = !isAdmin;
  if (!isAdmin) $('retention-status').textContent = 'Admins change this.';
  if ($('retention-form').dataset.bound) return;
  $('retention-form').dataset.bound = 'yes';
  $('retention-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const days = Number(input.value);
    try {
      const set = await call('/api/v1/staff/leads/retention', { method: 'PUT', json: { retention_days: days } });
      $('retention-status').textContent = `Leads are kept for ${set.retention_days} days; ${set.deleted} older lead(s) deleted now.`;
    } catch (error) {
      $('retention-status').textContent = `Not changed: ${error.errors[0]?.message ?? error.message}`;
    }
  });
}
