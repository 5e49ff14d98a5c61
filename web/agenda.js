// Pavilion agenda page: reads the published programme (GET /api/v1/programme) and what is on
// now (GET /api/v1/programme/now), lists the days with their theme and every session,
// filtered by day, forum and the hall's topic, each with its stage linked into the hall
// (`/#/stage/<id>`), its topic's booths (`/#/topic/<topic>`) and its own calendar file; the
// micro-classes are grouped by topic.
// Deep links: `#/day/<date>` shows one day, `#/session/<id>` shows and highlights a session.

import { $, api, h } from '/lib.js';
import { ProgrammeClock, programmeNow, sessionPlayer, stopSessionPlayers } from '/session-player.js';

const state = { programme: null, day: '', forum: '', topic: '' };
// The server's programme clock, from GET /api/v1/programme/now: premieres and countdowns follow it.
const clock = new ProgrammeClock();

/** A session's recording in the hall's session player (premiere, countdown or on demand), if it has one. */
function recording(session) {
  return session.recording_url ? sessionPlayer(session, state.programme.week, clock, { onStart: render }) : null;
}

const SESSION_IN_ADDRESS = /^#\/session\/([a-z0-9-]{3,48})$/;
const DAY_IN_ADDRESS = /^#\/day\/(\d{4}-\d{2}-\d{2})$/;

const KIND_LABELS = {
  keynote: 'Keynote', talk: 'Talk', panel: 'Panel', webcast: 'Webcast',
  micro_class: 'Micro-class', ceremony: 'Ceremony', performance: 'Performance',
};

const theme = (id) => state.programme.theme_days.find((t) => t.id === id);
const forum = (id) => state.programme.forums.find((f) => f.id === id);
const stage = (id) => state.programme.stages.find((s) => s.id === id);
/// A topic's slug as words ("rule-of-law" -> "Rule of law").
const topicName = (slug) => slug.charAt(0).toUpperCase() + slug.slice(1).replaceAll('-', ' ');
const shown = (s) => (!state.forum || s.forum === state.forum || forum(s.forum)?.parent === state.forum)
  && (!state.topic || s.topic === state.topic);

function dayLabel(day) {
  const date = new Date(`${day.date}T12:00:00Z`);
  const text = date.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  const themed = day.theme ? theme(day.theme)?.name : null;
  return themed ? `${text} · ${themed}` : text;
}

function sessionItem(session) {
  const place = stage(session.stage);
  const speakers = session.speakers.map((s) => (s.affiliation ? `${s.name} (${s.affiliation})` : s.name)).join(', ');
  return h('article', { className: 'session', id: `session-${session.id}`, 'data-session': session.id },
    h('p', { className: 'session-time', textContent: `${session.start}–${session.end}` }),
    h('div', {},
      h('h3', {}, h('a', { href: `#/session/${session.id}`, textContent: session.title })),
      h('p', { className: 'week-hint', textContent: `${KIND_LABELS[session.kind] ?? session.kind} · ${forum(session.forum)?.title ?? session.forum}${session.topic ? ` · ${topicName(session.topic)}` : ''}` }),
      h('p', { className: 'session-abstract', textContent: session.abstract }),
      speakers ? h('p', { className: 'week-hint', textContent: speakers }) : null,
      recording(session),
      h('p', { className: 'session-links' },
        h('a', { className: 'stage-link', href: `/#/stage/${session.stage}`, textContent: `At ${place?.name ?? session.stage} in the hall` }),
        session.topic ? h('a', { className: 'topic-link', href: `/#/topic/${session.topic}`, textContent: `Booths on ${topicName(session.topic)}` }) : null,
        h('a', { className: 'ics-link', href: `/api/v1/programme/sessions/${session.id}/calendar.ics`, download: `${session.id}.ics`, textContent: 'Add to calendar' }))));
}

function render() {
  const { programme } = state;
  stopSessionPlayers($('days'));
  const days = programme.days.filter((day) => !state.day || day.date === state.day);
  $('days').replaceChildren(...days.map((day) => {
    const sessions = programme.sessions
      .filter((s) => s.day === day.date && shown(s))
      .sort((a, b) => a.start.localeCompare(b.start) || a.stage.localeCompare(b.stage));
    const themed = day.theme ? theme(day.theme) : null;
    return h('section', { className: 'week-card day', 'data-day': day.date },
      h('h2', { textContent: dayLabel(day) }),
      themed ? h('p', { className: 'week-hint', textContent: themed.description }) : null,
      sessions.length ? h('div', { className: 'sessions' }, ...sessions.map(sessionItem))
        : h('p', { className: 'week-hint', textContent: 'No session of this forum or topic on this day.' }));
  }));
}

function renderMicroClasses() {
  const { programme } = state;
  const classes = programme.sessions.filter((s) => s.kind === 'micro_class');
  const groups = new Map();
  for (const session of classes) {
    const name = session.topic ? topicName(session.topic) : 'Other topics';
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(session);
  }
  $('micro-card').hidden = classes.length === 0;
  $('micro').replaceChildren(...[...groups].map(([name, sessions]) => h('div', { className: 'micro-group' },
    h('h3', { textContent: name }),
    h('ul', { className: 'week-list' }, ...sessions.map((session) => h('li', {},
      h('div', {},
        h('a', { href: `#/session/${session.id}`, textContent: session.title }),
        h('span', { className: 'week-hint', textContent: ` · ${session.day} ${session.start}` })),
      recording(session) ?? h('span', { className: 'week-hint', textContent: 'Live; the recording follows' })))))));
}

async function renderNow() {
  let now;
  try {
    now = await programmeNow(state.programme);
  } catch {
    $('now-card').hidden = true;
    return;
  }
  clock.set(now.now);
  const rows = now.stages.filter((s) => s.now || s.next);
  $('now').replaceChildren(...rows.map((row) => h('li', { 'data-stage': row.stage },
    h('strong', { textContent: row.stage_name }),
    h('span', {},
      row.now ? h('a', { href: `#/session/${row.now.id}`, textContent: `Now: ${row.now.title}` }) : 'Nothing on now',
      row.next ? h('span', { className: 'week-hint', textContent: ` · next at ${row.next.day === now.day?.date ? '' : `${row.next.day} `}${row.next.start}: ${row.next.title}` }) : null))));
  if (!rows.length) $('now').replaceChildren(h('li', { className: 'week-hint', textContent: 'Nothing is on now or later this week.' }));
}

/// Applies the address: a day, or a session (shown with its day, highlighted, in view).
function follow() {
  const session = SESSION_IN_ADDRESS.exec(location.hash)?.[1];
  const day = DAY_IN_ADDRESS.exec(location.hash)?.[1];
  const target = session ? state.programme.sessions.find((s) => s.id === session) : null;
  if (target) {
    state.day = target.day;
    if (!shown(target)) {
      state.forum = '';
      state.topic = '';
    }
  } else if (day && state.programme.days.some((d) => d.date === day)) {
    state.day = day;
  }
  $('filter-day').value = state.day;
  $('filter-forum').value = state.forum;
  $('filter-topic').value = state.topic;
  render();
  if (session && !target) say(`The programme has no session "${session}".`, 'error');
  if (target) {
    const node = $(`session-${target.id}`);
    node.classList.add('highlighted');
    node.scrollIntoView({ block: 'center' });
  }
}

function say(text, kind = 'info') {
  $('agenda-status').textContent = text;
  $('agenda-status').dataset.kind = kind;
}

$('filter-day').addEventListener('change', () => {
  state.day = $('filter-day').value;
  history.replaceState(null, '', state.day ? `#/day/${state.day}` : location.pathname);
  render();
});

$('filter-forum').addEventListener('change', () => {
  state.forum = $('filter-forum').value;
  render();
});

$('filter-topic').addEventListener('change', () => {
  state.topic = $('filter-topic').value;
  render();
});

window.addEventListener('hashchange', follow);

async function start() {
  try {
    state.programme = await api('/api/v1/programme');
  } catch (error) {
    say(`The programme is not available: ${error.message}`, 'error');
    document.body.dataset.state = 'failed';
    return;
  }
  const { programme } = state;
  $('agenda-week').textContent = `${programme.week.first_day} to ${programme.week.last_day}; times in UTC${programme.week.utc_offset_minutes >= 0 ? '+' : '−'}${String(Math.floor(Math.abs(programme.week.utc_offset_minutes) / 60)).padStart(2, '0')}:${String(Math.abs(programme.week.utc_offset_minutes) % 60).padStart(2, '0')}.`;
  $('filter-day').replaceChildren(h('option', { value: '', textContent: 'Every day' }),
    ...programme.days.map((day) => h('option', { value: day.date, textContent: dayLabel(day) })));
  const topics = [...new Set(programme.sessions.map((s) => s.topic).filter(Boolean))].sort();
  $('filter-topic').replaceChildren(h('option', { value: '', textContent: 'Every topic' }),
    ...topics.map((topic) => h('option', { value: topic, textContent: topicName(topic) })));
  $('filter-forum').replaceChildren(h('option', { value: '', textContent: 'Every forum' }),
    ...programme.forums.filter((f) => !f.parent).map((f) => h('option', { value: f.id, textContent: f.title })));
  await renderNow();
  renderMicroClasses();
  follow();
  document.body.dataset.state = 'ready';
}

start();
