// The stage panel of the hall page: opened by a click on a stage's big screen (pavilion:stage)
// or by `#/stage/<id>`, it shows what is on that stage now, with its premiere or recording in
// the session player, or counts down to what starts next; the contest desk's panel opens the
// knowledge contest. Reads GET /api/v1/programme (the week) and GET /api/v1/programme/now.

import { $, api, h } from '/lib.js';
import { ProgrammeClock, programmeNow, sessionPlayer, sessionTimes, stopSessionPlayers } from '/session-player.js';

const clock = new ProgrammeClock();
const state = { programme: null, shown: null };

const KIND_LABELS = {
  keynote: 'Keynote', talk: 'Talk', panel: 'Panel', webcast: 'Webcast',
  micro_class: 'Micro-class', ceremony: 'Ceremony', performance: 'Performance',
};

/** The stage areas in the published hall: `{ hall, area }` for each. */
export function stageAreas(snapshot) {
  return (snapshot?.halls ?? []).flatMap((hall) => (hall.stages ?? []).map((area) => ({ hall, area })));
}

// Unit vectors out of a front, by quarter turns (as the model's Rotation::front_direction).
const FRONTS = [[0, -1], [-1, 0], [0, 1], [1, 0]];

/** Where a visitor stands to watch a stage area (in its audience, on the centre aisle) and where they look. */
export function stageViewpoint(hall, area) {
  const [fx, fz] = FRONTS[area.rotation % 4];
  const centre = [hall.origin[0] + area.position[0], hall.origin[1] + area.position[1]];
  // Behind the last benches (the audience floor is 8 m deep), or 3 m before the contest desk.
  const out = area.footprint.depth / 2 + (area.kind === 'contest' ? 3 : 7.5);
  return {
    stand: [centre[0] + fx * out, centre[1] + fz * out],
    look: [centre[0], centre[1]],
  };
}

function dayText(session) {
  const date = new Date(`${session.day}T12:00:00Z`);
  return date.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
}

function speakersText(session) {
  return session.speakers.map((s) => (s.affiliation ? `${s.name} (${s.affiliation})` : s.name)).join(', ');
}

function sessionBlock(session, heading, { player }) {
  return h('section', { className: 'stage-session', 'data-session': session.id },
    h('h3', { textContent: heading }),
    h('h4', {}, h('a', { href: `/agenda.html#/session/${session.id}`, textContent: session.title })),
    h('p', { className: 'stage-when', textContent: `${dayText(session)}, ${session.start}–${session.end} · ${KIND_LABELS[session.kind] ?? session.kind}` }),
    session.speakers.length ? h('p', { className: 'stage-speakers', textContent: speakersText(session) }) : null,
    player ? sessionPlayer(session, state.programme.week, clock, { onStart: () => refresh() }) : null,
    h('p', { className: 'stage-abstract', textContent: session.abstract }),
    h('p', { className: 'stage-links' },
      h('a', { href: `/api/v1/programme/sessions/${session.id}/calendar.ics`, download: `${session.id}.ics`, textContent: 'Add to calendar' })));
}

function contestBody() {
  return [
    h('p', { className: 'tagline', textContent: 'Answer a round of questions on the theme of the day under a nickname, with no account: one attempt per set, a few seconds per question, scores on the leaderboard.' }),
    h('p', {}, h('a', { className: 'button-link', id: 'stage-contest-link', href: '/contest.html', textContent: 'Play the knowledge contest' })),
  ];
}

function render(stageId, now) {
  const panel = $('stage-panel');
  stopSessionPlayers(panel);
  if (stageId === 'contest') {
    $('stage-panel-name').textContent = 'Knowledge contest';
    $('stage-panel-body').replaceChildren(...contestBody());
    return;
  }
  const stage = state.programme.stages.find((s) => s.id === stageId);
  const row = now.stages.find((s) => s.stage === stageId);
  $('stage-panel-name').textContent = stage?.name ?? row?.stage_name ?? stageId;
  const parts = [];
  if (!stage) {
    parts.push(h('p', { className: 'tagline', textContent: 'This stage is not in the published programme.' }));
  } else {
    parts.push(h('p', { className: 'tagline', textContent: stage.capacity ? `A room of ${stage.capacity} seats; everything on it is streamed here.` : 'An online stage: everything on it is streamed here.' }));
    if (row?.now) parts.push(sessionBlock(row.now, 'On now', { player: true }));
    if (row?.next) parts.push(sessionBlock(row.next, row.now ? 'Next' : 'Next on this stage', { player: !row.now }));
    if (!row?.now && !row?.next) parts.push(h('p', { textContent: 'Nothing more is on this stage this week. The agenda has the recordings.' }));
  }
  parts.push(h('p', { className: 'stage-links' }, h('a', { href: '/agenda.html', textContent: 'The whole agenda' })));
  $('stage-panel-body').replaceChildren(...parts);
}

async function refresh() {
  const stageId = state.shown;
  if (!stageId) return;
  let now;
  try {
    state.programme ??= await api('/api/v1/programme');
    now = await programmeNow(state.programme);
  } catch (error) {
    $('stage-panel-name').textContent = 'Stage unavailable';
    $('stage-panel-body').replaceChildren(h('p', { className: 'tagline', textContent: error.message }));
    return;
  }
  if (state.shown !== stageId) return;
  clock.set(now.now);
  render(stageId, now);
  scheduleEndOfSession(stageId, now);
}

// When the session on now ends, the panel moves on to what is next.
let endTimer = null;
function scheduleEndOfSession(stageId, now) {
  clearTimeout(endTimer);
  const current = now.stages.find((s) => s.stage === stageId)?.now;
  if (!current) return;
  const left = sessionTimes(current, state.programme.week).end - clock.now();
  if (left > 0 && left < 2 ** 31 - 1) endTimer = setTimeout(refresh, left + 1000);
}

/** Opens the panel of a stage (or of the contest desk, `contest`). */
export function openStage(stageId) {
  state.shown = stageId;
  const panel = $('stage-panel');
  panel.dataset.stage = stageId;
  panel.hidden = false;
  $('stage-panel-name').textContent = 'Loading the stage…';
  $('stage-panel-body').replaceChildren();
  return refresh();
}

/** Closes the stage panel, stopping its videos and countdowns. */
export function closeStage() {
  state.shown = null;
  clearTimeout(endTimer);
  const panel = $('stage-panel');
  stopSessionPlayers(panel);
  panel.hidden = true;
  delete panel.dataset.stage;
}

export function stageShown() {
  return state.shown;
}
