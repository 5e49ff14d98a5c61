// The exhibitor portal's visitor figures (totals and a daily chart of the booth's visits, time
// spent, video plays, brochure downloads and model views from GET /api/v1/me/stats) and the
// messages visitors left (/api/v1/me/leads: listed, exported as CSV, deleted on request).

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

// --- leads -------------------------------------------------------------------------------

/** Saves the booth's leads as a CSV file (fetched with the token, handed over as a blob). */
async function downloadCsv() {
  $('leads-status').textContent = '';
  try {
    const response = await fetch('/api/v1/me/leads.csv', { headers: { authorization: `Bearer ${stats.token}` } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'leads.csv';
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    $('leads-status').textContent = `The CSV could not be made: ${error.message}`;
  }
}

async function deleteLead(lead) {
  if (!confirm(`Delete the message from ${lead.name}? This cannot be undone.`)) return;
  try {
    await api(`/api/v1/me/leads/${lead.id}`, { method: 'DELETE', token: stats.token });
    $('leads-status').textContent = `The message from ${lead.name} is deleted.`;
  } catch (error) {
    $('leads-status').textContent = `Not deleted: ${error.message}`;
  }
  await loadLeads();
}

const when = (stamp) => stamp.replace('T', ' ').replace(/:\d\dZ$/, ' UTC');

/** Lists the booth's leads, newest first, each with its delete button. */
async function loadLeads() {
  let leads;
  try {
    leads = await api('/api/v1/me/leads', { token: stats.token });
  } catch (error) {
    $('leads-status').textContent = `The messages could not be loaded: ${error.message}`;
    return;
  }
  $('leads-count').textContent = String(leads.length);
  $('leads-csv').disabled = leads.length === 0;
  $('leads-list').replaceChildren(...leads.map((lead) => h('li', { dataset: { lead: lead.id } },
    h('div', { className: 'lead-head' },
      h('strong', { textContent: lead.name }),
      h('a', { href: `mailto:${lead.email}`, textContent: lead.email }),
      h('time', { dateTime: lead.received_at, textContent: when(lead.received_at) }),
      h('button', { type: 'button', className: 'lead-delete', textContent: 'Delete', onclick: () => deleteLead(lead) })),
    h('p', { className: 'lead-message', textContent: lead.message }),
    h('p', { className: 'hint', textContent: `Deleted on ${when(lead.expires_at)} unless you delete it sooner.` }))));
  if (!leads.length) $('leads-list').replaceChildren(h('li', { className: 'hint', textContent: 'No messages yet.' }));
}

/** Fills the messages card for the booth signed in with `token`. */
export async function showLeads(token) {
  stats.token = token;
  if (!$('leads-csv').dataset.bound) {
    $('leads-csv').dataset.bound = 'yes';
    $('leads-csv').addEventListener('click', downloadCsv);
  }
  await loadLeads();
}
