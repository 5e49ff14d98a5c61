// Pavilion staff console: signs in with a staff session, edits a local copy of the layout
// draft on an SVG floor plan (drag with 0.5 m snapping, R to rotate, arrows to nudge), checks
// every change with the server's layout rules, saves, publishes, rolls back, edits the
// programme draft (a session's day, times and stage; the server's programme rules answer
// every save), places stage areas (programme stages and the contest desk) in a hall, shows the review queue (current content beside the proposed one) and the
// audit log; the knowledge-contest card is staff-contest.js. Layout writes send the
// draft's version as If-Match; a 412 (someone else saved meanwhile) shows the conflict and
// keeps the local edits instead of overwriting the other change.

import { $, api, h, svg } from '/lib.js';
import { showHallStats, showRetention } from '/staff-insights.js';
import { loadContest } from '/staff-contest.js';

const SNAP = 0.5;
const TOKEN_KEY = 'pavilion.staff.token';

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  me: null,
  view: null, // the server's layout view (halls as saved, exhibitors, aisle, revision)
  conflictRevision: null, // the draft's version when a save was refused as stale
  halls: [], // the local, possibly unsaved, copy being edited
  problems: [],
  dirty: false,
  hallId: null,
  selected: null,
  checkSeq: 0,
  dragging: false,
};

// ---------- API ----------

/// An API call with the staff session; failures throw lib.js's ApiError, whose `body.problems`
/// lists broken layout rules. A 401 once signed in means the session ended.
async function call(path, options = {}) {
  try {
    return await api(path, { ...options, token: state.token });
  } catch (error) {
    if (error.status === 401 && state.me && !path.endsWith('/sessions')) signedOut('Your session has ended: sign in again.');
    throw error;
  }
}

/// The If-Match header naming the version of the draft the local copy was loaded from.
const ifMatch = (revision = state.view?.revision) => (revision === undefined || revision === null ? {} : { 'if-match': `"${revision}"` });

/// True for a refusal because the draft changed since it was loaded: shows the conflict.
function staleVersion(error) {
  if (error.status !== 412) return false;
  state.conflictRevision = error.body?.current_revision ?? null;
  $('layout-overwrite').hidden = state.conflictRevision === null || !state.dirty;
  $('layout-conflict').hidden = false;
  say('Not saved: the layout draft was changed elsewhere since you loaded it.', 'error');
  return true;
}

/// The layout problems a refusal lists (a 422 from save, publish or a hall change), if any.
const problemsOf = (error) => (Array.isArray(error.body?.problems) ? error.body.problems : null);

function say(text, kind = 'info') {
  const status = $('status');
  status.textContent = text;
  status.dataset.kind = kind;
}

// ---------- sign-in ----------

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('sign-in-error').textContent = '';
  let session;
  try {
    session = await call('/api/v1/staff/sessions', {
      method: 'POST',
      json: { name: $('sign-in-name').value.trim(), password: $('sign-in-password').value },
    });
  } catch (error) {
    $('sign-in-error').textContent = error.message;
    return;
  }
  state.token = session.token;
  sessionStorage.setItem(TOKEN_KEY, state.token);
  $('sign-in-password').value = '';
  await start();
});

$('sign-out').addEventListener('click', async () => {
  await call('/api/v1/staff/sessions', { method: 'DELETE' }).catch(() => {});
  signedOut('Signed out.');
});

function signedOut(message) {
  state.token = null;
  state.me = null;
  sessionStorage.removeItem(TOKEN_KEY);
  document.body.dataset.state = 'signed-out';
  $('console').hidden = true;
  $('sign-in').hidden = false;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('sign-in-error').textContent = message ?? '';
}

async function start() {
  let me;
  try {
    me = await call('/api/v1/staff/me');
  } catch {
    signedOut(state.token ? 'Your session has ended: sign in again.' : '');
    return;
  }
  state.me = me;
  $('who').textContent = `${me.name} · ${me.role}`;
  $('sign-in').hidden = true;
  $('sign-out').hidden = false;
  $('console').hidden = false;
  await loadLayout();
  await Promise.all([loadVersions(), loadAudit(), loadReview(), loadAccounts(), loadProgramme(),
    loadContest(call, () => state.token), showHallStats(call), showRetention(call, me.role === 'admin')]);
  document.body.dataset.state = 'ready';
}

// ---------- layout state ----------

/// Loads the saved draft into the editor; false (with the reason on the status line) when it
/// could not.
async function loadLayout() {
  let view;
  try {
    view = await call('/api/v1/staff/layout');
  } catch (error) {
    say(`Could not load the layout: ${error.message}`, 'error');
    return false;
  }
  adopt(view);
  return true;
}

function adopt(view) {
  state.view = view;
  state.conflictRevision = null;
  $('layout-conflict').hidden = true;
  state.halls = structuredClone(view.halls);
  state.problems = view.problems;
  state.dirty = false;
  if (!state.halls.some((hall) => hall.id === state.hallId)) state.hallId = state.halls[0]?.id ?? null;
  if (state.selected && !findBooth(state.selected)) state.selected = null;
  render();
}

const exhibitor = (slug) => state.view.exhibitors.find((e) => e.slug === slug);
const currentHall = () => state.halls.find((hall) => hall.id === state.hallId);

function findBooth(slug) {
  for (const hall of state.halls) {
    const booth = hall.booths.find((b) => b.exhibitor === slug);
    if (booth) return { hall, booth };
  }
  return null;
}

function floorRect(booth) {
  const turned = booth.rotation % 2 === 1;
  const w = turned ? booth.footprint.depth : booth.footprint.width;
  const d = turned ? booth.footprint.width : booth.footprint.depth;
  return { x: booth.position[0] - w / 2, z: booth.position[1] - d / 2, w, d };
}

const snap = (value) => Math.round(value / SNAP) * SNAP;

/// A local change: mark unsaved and ask the server which rules the edited draft breaks.
async function changed(message) {
  state.dirty = true;
  render();
  const seq = ++state.checkSeq;
  let problems;
  try {
    problems = await call('/api/v1/staff/layout/check', { method: 'POST', json: { halls: state.halls } });
  } catch (error) {
    if (seq === state.checkSeq) say(`Could not check the layout: ${error.message}`, 'error');
    return;
  }
  if (seq !== state.checkSeq) return; // a newer change is being checked
  state.problems = problems;
  render();
  const count = state.problems.length;
  say(count ? `${message} · ${count} problem${count > 1 ? 's' : ''}: ${state.problems[0].message}` : `${message} · unsaved`, count ? 'error' : 'info');
}

// ---------- rendering ----------

function render() {
  renderTabs();
  renderPlan();
  renderInspector();
  renderProblems();
  renderUnplaced();
  renderStages();
  $('save').disabled = !state.dirty;
  $('revert').disabled = !state.dirty;
  $('publish').disabled = state.dirty;
  $('rotate').disabled = !state.selected;
  document.body.dataset.dirty = String(state.dirty);
}

function renderTabs() {
  const tabs = $('hall-tabs');
  tabs.replaceChildren(...state.halls.map((hall) => {
    const invalid = state.problems.some((p) => p.hall === hall.id);
    return h('button', {
      type: 'button', role: 'tab', className: `staff-tab${invalid ? ' invalid' : ''}`,
      'aria-selected': String(hall.id === state.hallId), textContent: hall.name, title: hall.id,
      onclick: () => { state.hallId = hall.id; render(); },
    });
  }));
}

function renderPlan() {
  const plan = $('plan');
  const hall = currentHall();
  plan.replaceChildren();
  if (!hall) return;
  const margin = 2;
  plan.setAttribute('viewBox', `${-margin} ${-margin - 2} ${hall.width + 2 * margin} ${hall.depth + 2 * margin + 2}`);
  plan.dataset.hall = hall.id;

  const defs = svg('defs');
  const grid = svg('pattern', { id: 'grid', width: 1, height: 1, patternUnits: 'userSpaceOnUse' });
  grid.append(svg('path', { d: 'M 1 0 L 0 0 0 1', class: 'plan-grid' }));
  const hatch = svg('pattern', { id: 'hatch', width: 1, height: 1, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  hatch.append(svg('line', { x1: 0, y1: 0, x2: 0, y2: 1, class: 'plan-hatch' }));
  defs.append(grid, hatch);
  plan.append(defs);

  plan.append(svg('rect', { x: 0, y: 0, width: hall.width, height: hall.depth, class: 'plan-floor' }));
  plan.append(svg('rect', { x: 0, y: 0, width: hall.width, height: hall.depth, fill: 'url(#grid)' }));
  for (const zone of hall.zones) {
    plan.append(svg('rect', { x: zone.area.x, y: zone.area.z, width: zone.area.width, height: zone.area.depth, class: 'plan-zone' }));
    plan.append(svg('text', { x: zone.area.x + 0.2, y: zone.area.z - 0.35, class: 'plan-zone-label' }, zone.topic.replaceAll('-', ' ')));
  }
  for (const door of hall.entrances) {
    const clearance = state.view.entrance_clearance;
    plan.append(svg('rect', { x: door.x - door.width / 2, y: 0, width: door.width, height: clearance, fill: 'url(#hatch)', class: 'plan-clearance' }));
  }
  // walls with gaps for the doorways
  plan.append(svg('rect', { x: 0, y: 0, width: hall.width, height: hall.depth, class: 'plan-wall' }));
  for (const door of hall.entrances) {
    plan.append(svg('line', { x1: door.x - door.width / 2, y1: 0, x2: door.x + door.width / 2, y2: 0, class: 'plan-door' }));
    plan.append(svg('text', { x: door.x, y: -0.8, class: 'plan-door-label' }, 'entrance'));
  }

  for (const area of hall.stages ?? []) plan.append(stageNode(area));
  for (const booth of hall.booths) plan.append(boothNode(booth));
}

/// The floor a stage area's audience stands on, in front of its platform.
function audienceRect(area) {
  const rect = floorRect(area);
  const depth = stageEntry(area.stage)?.audience_depth ?? (area.kind === 'contest' ? 4 : 8);
  return {
    0: { x: rect.x, z: rect.z - depth, w: rect.w, d: depth },
    1: { x: rect.x - depth, z: rect.z, w: depth, d: rect.d },
    2: { x: rect.x, z: rect.z + rect.d, w: rect.w, d: depth },
    3: { x: rect.x + rect.w, z: rect.z, w: depth, d: rect.d },
  }[area.rotation];
}

const stageEntry = (id) => state.view.stages?.find((s) => s.stage === id);
const areaName = (id) => stageEntry(id)?.name ?? id;
const stageProblems = (id) => state.problems.filter((p) => p.stage === id);

/// A stage area on the plan: its platform (thick edge towards the audience) and the dashed
/// audience floor. Edited in the "Stage areas" card, not by dragging.
function stageNode(area) {
  const rect = floorRect(area);
  const audience = audienceRect(area);
  const problems = stageProblems(area.stage);
  const group = svg('g', { class: `booth stage-area${problems.length ? ' invalid' : ''}`, 'data-stage': area.stage });
  group.append(svg('title', {}, [`Stage area: ${areaName(area.stage)}`, ...problems.map((p) => p.message)].join('\n')));
  group.append(svg('rect', { x: audience.x, y: audience.z, width: audience.w, height: audience.d, class: 'plan-zone' }));
  group.append(svg('rect', { x: rect.x, y: rect.z, width: rect.w, height: rect.d, rx: 0.15, class: 'booth-body' }));
  const front = {
    0: [rect.x, rect.z, rect.x + rect.w, rect.z],
    1: [rect.x, rect.z, rect.x, rect.z + rect.d],
    2: [rect.x, rect.z + rect.d, rect.x + rect.w, rect.z + rect.d],
    3: [rect.x + rect.w, rect.z, rect.x + rect.w, rect.z + rect.d],
  }[area.rotation];
  group.append(svg('line', { x1: front[0], y1: front[1], x2: front[2], y2: front[3], class: 'booth-front' }));
  const label = areaName(area.stage);
  group.append(svg('text', { x: rect.x + rect.w / 2, y: rect.z + rect.d / 2 + 0.25, class: 'booth-label', 'font-size': Math.min(0.9, (rect.w * 1.5) / Math.max(label.length, 1)) }, label));
  return group;
}

const FACING = ['the entrance', 'the left wall', 'the back wall', 'the right wall'];

/// The stage areas of the hall shown, each with its position, size, facing and problems,
/// and the stages that have none yet to add.
function renderStages() {
  const hall = currentHall();
  const list = $('stage-areas');
  const areas = hall?.stages ?? [];
  list.replaceChildren(...(areas.length ? areas.map((area, index) => stageEditor(hall, area, index))
    : [h('p', { className: 'staff-muted', textContent: 'No stage areas in this hall.' })]));
  const placed = new Set(state.halls.flatMap((other) => (other.stages ?? []).map((a) => a.stage)));
  const free = (state.view.stages ?? []).filter((entry) => !placed.has(entry.stage));
  $('stage-choice').replaceChildren(...free.map((entry) => h('option', { value: entry.stage, textContent: `${entry.name} (${entry.stage})` })));
  $('add-stage').querySelector('button').disabled = !hall || free.length === 0;
}

function stageEditor(hall, area, index) {
  const id = `stage-${index}`;
  const number = (label, value, key, apply) => {
    const input = h('input', { id: `${id}-${key}`, type: 'number', step: String(SNAP), value: String(value), size: 5, required: true });
    input.addEventListener('change', () => {
      const next = Number(input.value);
      if (!Number.isFinite(next)) return;
      apply(next);
      changed(`Changed the ${label.toLowerCase()} of ${areaName(area.stage)}`);
      // The card was drawn again: keep the keyboard where it was.
      $(input.id)?.focus();
    });
    return h('label', {}, `${label} `, input);
  };
  const facing = h('select', { id: `${id}-rotation` },
    ...FACING.map((text, turns) => h('option', { value: String(turns), textContent: text, selected: turns === area.rotation })));
  facing.addEventListener('change', () => {
    area.rotation = Number(facing.value);
    changed(`Turned ${areaName(area.stage)}`);
    $(facing.id)?.focus();
  });
  const problems = stageProblems(area.stage);
  return h('fieldset', { className: 'staff-programme-edit', 'data-stage': area.stage },
    h('legend', { textContent: `${areaName(area.stage)} · ${area.kind === 'contest' ? 'contest desk' : 'stage'}` }),
    number('Centre x (m)', area.position[0], 'x', (v) => { area.position = [v, area.position[1]]; }),
    number('Centre z (m)', area.position[1], 'z', (v) => { area.position = [area.position[0], v]; }),
    number('Width (m)', area.footprint.width, 'width', (v) => { area.footprint = { ...area.footprint, width: v }; }),
    number('Depth (m)', area.footprint.depth, 'depth', (v) => { area.footprint = { ...area.footprint, depth: v }; }),
    h('label', {}, 'Audience faces ', facing),
    h('div', { className: 'staff-inline' },
      h('button', { type: 'button', className: 'staff-button staff-ghost staff-small', textContent: 'Remove', 'aria-label': `Remove ${areaName(area.stage)} from this hall`, onclick: () => {
        hall.stages = hall.stages.filter((other) => other !== area);
        changed(`Removed ${areaName(area.stage)} from ${hall.name}`);
      } })),
    h('ul', { className: 'staff-problems' }, ...problems.map((p) => h('li', { textContent: p.message }))),
  );
}

$('add-stage').addEventListener('submit', (event) => {
  event.preventDefault();
  const hall = currentHall();
  const entry = stageEntry($('stage-choice').value);
  if (!hall || !entry) return;
  hall.stages = hall.stages ?? [];
  hall.stages.push({
    stage: entry.stage, kind: entry.kind, position: centreOf(hall), rotation: 0,
    footprint: { ...entry.footprint }, name: '',
  });
  changed(`Placed ${entry.name} in ${hall.name}`);
});

function boothNode(booth) {
  const rect = floorRect(booth);
  const problems = state.problems.filter((p) => p.exhibitor === booth.exhibitor);
  const info = exhibitor(booth.exhibitor);
  const classes = ['booth'];
  if (problems.length) classes.push('invalid');
  if (state.selected === booth.exhibitor) classes.push('selected');
  const group = svg('g', {
    class: classes.join(' '), 'data-slug': booth.exhibitor, tabindex: 0,
    transform: `translate(${booth.position[0]} ${booth.position[1]})`,
    'aria-label': `${info?.name ?? booth.exhibitor}${problems.length ? `: ${problems.map((p) => p.message).join('; ')}` : ''}`,
  });
  group.append(svg('title', {}, [info?.name ?? booth.exhibitor, ...problems.map((p) => p.message)].join('\n')));
  const x = -rect.w / 2;
  const z = -rect.d / 2;
  group.append(svg('rect', { x, y: z, width: rect.w, height: rect.d, rx: 0.15, class: 'booth-body' }));
  const front = {
    0: [x, z, x + rect.w, z],
    1: [x, z, x, z + rect.d],
    2: [x, z + rect.d, x + rect.w, z + rect.d],
    3: [x + rect.w, z, x + rect.w, z + rect.d],
  }[booth.rotation];
  group.append(svg('line', { x1: front[0], y1: front[1], x2: front[2], y2: front[3], class: 'booth-front' }));
  const label = (info?.name ?? booth.exhibitor).split(/\s+/).slice(0, 2).join(' ');
  group.append(svg('text', { x: 0, y: 0.25, class: 'booth-label', 'font-size': Math.min(0.75, (rect.w * 1.5) / Math.max(label.length, 1)) }, label));
  group.addEventListener('pointerdown', (event) => startDrag(event, booth.exhibitor));
  group.addEventListener('focus', () => { if (!state.dragging && state.selected !== booth.exhibitor) select(booth.exhibitor); });
  return group;
}

function renderInspector() {
  const panel = $('inspector');
  const found = state.selected && findBooth(state.selected);
  if (!found) {
    panel.replaceChildren(h('p', { className: 'staff-muted', textContent: 'Select a booth on the plan.' }));
    return;
  }
  const { hall, booth } = found;
  const info = exhibitor(booth.exhibitor);
  const facing = ['the entrance', 'the left wall', 'the back wall', 'the right wall'][booth.rotation];
  const hallSelect = h('select', { id: 'booth-hall', 'aria-label': 'Hall' },
    ...state.halls.map((other) => h('option', { value: other.id, textContent: other.name, selected: other.id === hall.id })));
  hallSelect.addEventListener('change', () => moveToHall(booth.exhibitor, hallSelect.value));
  const problems = state.problems.filter((p) => p.exhibitor === booth.exhibitor);
  panel.replaceChildren(
    h('p', { className: 'staff-booth-name', textContent: info?.name ?? booth.exhibitor }),
    h('p', { className: 'staff-muted', textContent: `${booth.exhibitor} · ${info?.tier ?? '?'} · ${booth.footprint.width} m × ${booth.footprint.depth} m` }),
    h('p', { id: 'booth-position', textContent: `centre (${booth.position[0].toFixed(1)}, ${booth.position[1].toFixed(1)}) m · open front faces ${facing}` }),
    h('label', { className: 'staff-inline' }, 'Hall ', hallSelect),
    h('div', { className: 'staff-inline' },
      h('button', { type: 'button', className: 'staff-button staff-ghost', textContent: 'Rotate', onclick: () => rotate(booth.exhibitor) }),
      h('button', { type: 'button', className: 'staff-button staff-ghost', textContent: 'Take off the plan', onclick: () => unplace(booth.exhibitor) })),
    h('ul', { id: 'booth-problems', className: 'staff-problems' },
      ...problems.map((p) => h('li', { textContent: p.message }))),
  );
}

function renderProblems() {
  $('problem-count').textContent = state.problems.length ? String(state.problems.length) : 'none';
  $('problems').replaceChildren(...state.problems.map((problem) => h('li', {
    textContent: `${problem.hall}: ${problem.message}`,
    className: problem.exhibitor || problem.stage ? 'staff-link' : '',
    onclick: () => {
      if (problem.stage && !problem.exhibitor) {
        state.hallId = problem.hall;
        render();
        document.querySelector(`#stage-areas [data-stage="${CSS.escape(problem.stage)}"] input`)?.focus();
        return;
      }
      if (!problem.exhibitor) return;
      const found = findBooth(problem.exhibitor);
      if (found) state.hallId = found.hall.id;
      select(problem.exhibitor);
    },
  })));
}

function renderUnplaced() {
  const placed = new Set(state.halls.flatMap((hall) => hall.booths.map((b) => b.exhibitor)));
  const missing = state.view.exhibitors.filter((e) => !placed.has(e.slug));
  $('unplaced').replaceChildren(...(missing.length ? missing.map((e) => h('li', {},
    `${e.name} `,
    h('button', { type: 'button', className: 'staff-button staff-ghost staff-small', textContent: 'Place here', onclick: () => place(e) }),
  )) : [h('li', { className: 'staff-muted', textContent: 'Every exhibitor has a booth.' })]));
}

// ---------- editing ----------

function select(slug) {
  state.selected = slug;
  render();
  document.querySelector(`#plan .booth[data-slug="${CSS.escape(slug)}"]`)?.focus({ preventScroll: true });
}

function svgPoint(event) {
  const plan = $('plan');
  const point = plan.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  return point.matrixTransform(plan.getScreenCTM().inverse());
}

function startDrag(event, slug) {
  event.preventDefault();
  const found = findBooth(slug);
  if (!found) return;
  state.selected = slug;
  const node = event.currentTarget;
  node.setPointerCapture(event.pointerId);
  const start = svgPoint(event);
  const origin = [...found.booth.position];
  let moved = false;
  state.dragging = true;
  const move = (e) => {
    const p = svgPoint(e);
    const next = [snap(origin[0] + p.x - start.x), snap(origin[1] + p.y - start.y)];
    if (next[0] !== found.booth.position[0] || next[1] !== found.booth.position[1]) moved = true;
    found.booth.position = next;
    node.setAttribute('transform', `translate(${next[0]} ${next[1]})`);
  };
  const end = () => {
    state.dragging = false;
    node.removeEventListener('pointermove', move);
    node.removeEventListener('pointerup', end);
    node.removeEventListener('pointercancel', end);
    if (moved && (found.booth.position[0] !== origin[0] || found.booth.position[1] !== origin[1])) {
      changed(`Moved ${slug} to (${found.booth.position[0].toFixed(1)}, ${found.booth.position[1].toFixed(1)})`);
    } else {
      select(slug);
    }
  };
  node.addEventListener('pointermove', move);
  node.addEventListener('pointerup', end);
  node.addEventListener('pointercancel', end);
  // Re-rendering now would replace the node being dragged: mark the selection in place.
  for (const other of document.querySelectorAll('#plan .booth.selected')) other.classList.remove('selected');
  node.classList.add('selected');
}

function rotate(slug) {
  const found = findBooth(slug);
  if (!found) return;
  found.booth.rotation = (found.booth.rotation + 1) % 4;
  changed(`Turned ${slug}`);
}

function nudge(slug, dx, dz) {
  const found = findBooth(slug);
  if (!found) return;
  found.booth.position = [snap(found.booth.position[0] + dx), snap(found.booth.position[1] + dz)];
  changed(`Moved ${slug} to (${found.booth.position[0].toFixed(1)}, ${found.booth.position[1].toFixed(1)})`);
}

function centreOf(hall) {
  return [snap(hall.width / 2), snap(hall.depth / 2)];
}

function moveToHall(slug, hallId) {
  const found = findBooth(slug);
  const target = state.halls.find((hall) => hall.id === hallId);
  if (!found || !target || found.hall === target) return;
  found.hall.booths = found.hall.booths.filter((b) => b.exhibitor !== slug);
  found.booth.position = centreOf(target);
  target.booths.push(found.booth);
  state.hallId = target.id;
  changed(`Moved ${slug} to ${target.name}`);
}

function unplace(slug) {
  const found = findBooth(slug);
  if (!found) return;
  found.hall.booths = found.hall.booths.filter((b) => b.exhibitor !== slug);
  state.selected = null;
  changed(`Took ${slug} off the plan`);
}

function place(entry) {
  const hall = currentHall();
  if (!hall || !entry.footprint) return;
  hall.booths.push({ exhibitor: entry.slug, position: centreOf(hall), rotation: 0, footprint: entry.footprint });
  state.selected = entry.slug;
  changed(`Placed ${entry.slug} in ${hall.name}`);
}

document.addEventListener('keydown', (event) => {
  if (!state.selected || document.body.dataset.state !== 'ready') return;
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
  const steps = { ArrowLeft: [-SNAP, 0], ArrowRight: [SNAP, 0], ArrowUp: [0, -SNAP], ArrowDown: [0, SNAP] };
  if (event.key === 'r' || event.key === 'R') {
    event.preventDefault();
    rotate(state.selected);
  } else if (steps[event.key]) {
    event.preventDefault();
    nudge(state.selected, ...steps[event.key]);
  }
});

$('rotate').addEventListener('click', () => state.selected && rotate(state.selected));
$('revert').addEventListener('click', async () => { await loadLayout(); say('Reverted to the saved draft.'); });

/// Saves the local copy over the version it was loaded from (or, when the user chose to, over
/// the newer version a conflict named).
async function saveLayout(revision) {
  let view;
  try {
    view = await call('/api/v1/staff/layout', { method: 'PUT', json: { halls: state.halls }, headers: ifMatch(revision) });
  } catch (error) {
    if (staleVersion(error)) return;
    const problems = error.status === 422 && problemsOf(error);
    if (problems) {
      state.problems = problems;
      render();
      say(`Not saved: ${problems.length} problem(s). ${problems[0].message}`, 'error');
    } else {
      say(`Not saved: ${error.message}`, 'error');
    }
    return;
  }
  adopt(view);
  say('Layout saved.', 'ok');
  loadAudit();
}

$('save').addEventListener('click', () => saveLayout());
$('layout-overwrite').addEventListener('click', () => saveLayout(state.conflictRevision));
$('layout-reload').addEventListener('click', async () => { if (await loadLayout()) say('Loaded the latest layout draft.'); });

$('publish').addEventListener('click', async () => {
  if (state.dirty) { say('Save or revert your changes before publishing.', 'error'); return; }
  say('Publishing…');
  const outcome = await call('/api/v1/staff/publish', { method: 'POST', headers: ifMatch() }).then(
    (published) => ({ published }),
    (error) => ({ error }),
  );
  await Promise.all([loadVersions(), loadAudit()]);
  if (!outcome.error) {
    say(`Published version ${outcome.published.version}: visitors see it now.`, 'ok');
    return;
  }
  if (staleVersion(outcome.error)) {
    say('Not published: the layout draft was changed elsewhere since you loaded it. Load the latest draft and check it first.', 'error');
    return;
  }
  const problems = outcome.error.status === 422 && problemsOf(outcome.error);
  if (problems) {
    state.problems = problems;
    render();
    say(`Not published: ${problems.length} problem(s). ${problems[0].message}`, 'error');
  } else {
    say(`Not published: ${outcome.error.message}`, 'error');
  }
});

/// Server-side hall changes work on the saved draft, so they need no unsaved edits.
/// Returns whether the change was made.
async function serverChange(method, path, json, done) {
  if (state.dirty) { say('Save or revert your changes first.', 'error'); return false; }
  let view;
  try {
    view = await call(path, { method, json, headers: ifMatch() });
  } catch (error) {
    if (staleVersion(error)) return false;
    const problems = problemsOf(error);
    if (problems) { state.problems = problems; render(); }
    say(error.message, 'error');
    return false;
  }
  adopt(view);
  say(done, 'ok');
  loadAudit();
  return true;
}

$('add-hall').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('hall-name').value.trim();
  if (await serverChange('POST', '/api/v1/staff/layout/halls', { name }, `Added the hall ${name}.`)) {
    $('hall-name').value = '';
    state.hallId = state.halls[state.halls.length - 1].id;
    render();
  }
});

$('remove-hall').addEventListener('click', () => {
  const hall = currentHall();
  if (hall) serverChange('DELETE', `/api/v1/staff/layout/halls/${encodeURIComponent(hall.id)}`, undefined, `Removed ${hall.name}.`);
});

$('arrange').addEventListener('click', () => {
  if (!confirm('Replace the whole draft with an automatic arrangement of every exhibitor?')) return;
  serverChange('POST', '/api/v1/staff/layout/arrange', undefined, 'Arranged every exhibitor automatically.');
});

// ---------- programme ----------

/// The programme draft as loaded (programme, revision, problems), the day shown and the
/// session being edited.
const programme = { view: null, day: null, editing: null };

function programmeSay(text, kind = 'info') {
  $('programme-status').textContent = text;
  $('programme-status').dataset.kind = kind;
}

async function loadProgramme() {
  let view;
  try {
    view = await call('/api/v1/staff/programme');
  } catch (error) {
    programmeSay(`Could not load the programme: ${error.message}`, 'error');
    return false;
  }
  adoptProgramme(view);
  return true;
}

function adoptProgramme(view) {
  programme.view = view;
  $('programme-reload').hidden = true;
  const days = view.programme?.days ?? [];
  if (!days.some((day) => day.date === programme.day)) programme.day = days[0]?.date ?? null;
  programme.editing = null;
  renderProgramme();
  showProgrammeProblems(view.problems);
}

const themeName = (id) => programme.view.programme.theme_days.find((t) => t.id === id)?.name;
const stageName = (id) => programme.view.programme.stages.find((s) => s.id === id)?.name ?? id;
const dayLabel = (day) => `${day.date}${day.theme ? ` · ${themeName(day.theme) ?? day.theme}` : ''}`;

function renderProgramme() {
  const draft = programme.view?.programme;
  $('programme-count').textContent = draft ? `${draft.sessions.length} sessions` : 'none';
  if (!draft) {
    $('programme-day').replaceChildren();
    $('programme-sessions').replaceChildren(h('li', { className: 'staff-muted', textContent: 'There is no programme draft yet.' }));
    $('programme-edit').hidden = true;
    return;
  }
  $('programme-day').replaceChildren(...draft.days.map((day) => h('option', { value: day.date, textContent: dayLabel(day) })));
  $('programme-day').value = programme.day ?? '';
  const sessions = draft.sessions
    .filter((session) => session.day === programme.day)
    .sort((a, b) => a.start.localeCompare(b.start) || a.stage.localeCompare(b.stage));
  $('programme-sessions').replaceChildren(...sessions.map((session) => h('li', {
    'data-session': session.id,
    className: session.id === programme.editing ? 'selected' : '',
  },
  `${session.start}–${session.end} · ${stageName(session.stage)} · ${session.title} `,
  h('button', {
    type: 'button', className: 'staff-button staff-ghost staff-small', textContent: 'Edit',
    onclick: () => editSession(session.id),
  }))));
  renderSessionEditor();
}

function renderSessionEditor() {
  const draft = programme.view.programme;
  const session = draft.sessions.find((s) => s.id === programme.editing);
  $('programme-edit').hidden = !session;
  if (!session) return;
  $('programme-edit-title').textContent = session.title;
  $('session-day').replaceChildren(...draft.days.map((day) => h('option', { value: day.date, textContent: dayLabel(day) })));
  $('session-stage').replaceChildren(...draft.stages.map((stage) => h('option', { value: stage.id, textContent: stage.name })));
  $('session-day').value = session.day;
  $('session-start').value = session.start;
  $('session-end').value = session.end;
  $('session-stage').value = session.stage;
}

function editSession(id) {
  programme.editing = id;
  renderProgramme();
  $('session-start').focus();
}

/// Lists the rules a programme breaks (a 422's problems, or the loaded draft's).
function showProgrammeProblems(problems = []) {
  $('programme-problems').replaceChildren(...problems.map((problem) => h('li', {
    'data-rule': problem.rule,
    textContent: `${problem.field}: ${problem.message}`,
  })));
}

$('programme-day').addEventListener('change', () => {
  programme.day = $('programme-day').value;
  programme.editing = null;
  renderProgramme();
});

$('session-cancel').addEventListener('click', () => {
  programme.editing = null;
  showProgrammeProblems([]);
  programmeSay('');
  renderProgramme();
});

$('programme-reload').addEventListener('click', async () => {
  if (await loadProgramme()) programmeSay('Loaded the latest programme.');
});

/// Saves the edited session as part of the whole programme, over the version loaded; the
/// server checks every rule and saves nothing when one is broken.
$('programme-edit').addEventListener('submit', async (event) => {
  event.preventDefault();
  const edited = structuredClone(programme.view.programme);
  const session = edited.sessions.find((s) => s.id === programme.editing);
  if (!session) return;
  session.day = $('session-day').value;
  session.start = $('session-start').value.trim();
  session.end = $('session-end').value.trim();
  session.stage = $('session-stage').value;
  let view;
  try {
    view = await call('/api/v1/staff/programme', { method: 'PUT', json: edited, headers: ifMatch(programme.view.revision) });
  } catch (error) {
    const problems = Array.isArray(error.body?.problems) ? error.body.problems : null;
    if (error.status === 412) {
      $('programme-reload').hidden = false;
      programmeSay('Not saved: the programme was changed elsewhere since you loaded it.', 'error');
    } else if (problems) {
      showProgrammeProblems(problems);
      programmeSay(`Not saved: ${problems.length} problem${problems.length > 1 ? 's' : ''}. ${problems[0].message}`, 'error');
    } else {
      showProgrammeProblems([]);
      programmeSay(`Not saved: ${error.message}`, 'error');
    }
    return;
  }
  programme.day = session.day;
  adoptProgramme(view);
  programmeSay(`Saved ${session.id}: ${session.day} ${session.start}–${session.end} on ${stageName(session.stage)}. Publish to show it to visitors.`, 'ok');
  await loadAudit();
});

// ---------- versions, audit ----------

async function loadVersions() {
  const versions = await call('/api/v1/staff/versions').catch(() => null);
  if (!versions) return;
  $('versions').replaceChildren(...versions.map((v) => h('li', { className: v.live ? 'live' : '', 'data-version': v.version },
    h('strong', { textContent: `v${v.version}` }),
    ` ${v.published_at.replace('T', ' ').replace('Z', '')} · ${v.booths} booths · ${Math.round(v.bytes / 1024)} KiB${v.published_by ? ` · ${v.published_by}` : ''} `,
    v.live
      ? h('span', { className: 'chip', textContent: 'live' })
      : h('button', {
        type: 'button', className: 'staff-button staff-ghost staff-small', textContent: 'Roll back',
        onclick: () => rollback(v.version),
      }),
  )));
}

// ---------- staff accounts (admins) ----------

/// Lists the team for admins, each account with what an admin can do to it; every change is
/// audited by the server, which also refuses to leave the team without an admin.
async function loadAccounts() {
  if (state.me?.role !== 'admin') return;
  const accounts = await call('/api/v1/staff/accounts').catch(() => null);
  if (!accounts) return;
  $('accounts-card').hidden = false;
  const action = (label, run) => h('button', {
    type: 'button', className: 'staff-button staff-ghost staff-small', textContent: label, onclick: run,
  });
  $('accounts').replaceChildren(...accounts.map((account) => {
    const path = `/api/v1/staff/accounts/${encodeURIComponent(account.name)}`;
    const self = account.name === state.me.name;
    return h('li', { 'data-account': account.name },
      h('strong', { textContent: account.name }),
      ` ${account.role}${account.disabled_at ? ' · disabled' : ''} · ${account.sessions} session(s) `,
      self ? h('span', { className: 'chip', textContent: 'you' }) : null,
      self ? null : action(account.role === 'admin' ? 'Make curator' : 'Make admin', () => changeAccount(
        `${account.name} is now ${account.role === 'admin' ? 'a curator' : 'an admin'}.`,
        path, { method: 'PATCH', json: { role: account.role === 'admin' ? 'curator' : 'admin' } })),
      self ? null : action(account.disabled_at ? 'Enable' : 'Disable', () => changeAccount(
        `${account.name} is ${account.disabled_at ? 'enabled' : 'disabled'}.`,
        path, { method: 'PATCH', json: { disabled: !account.disabled_at } })),
      action('Sign out everywhere', () => changeAccount(
        `${account.name} is signed out everywhere.`, `${path}/sessions`, { method: 'DELETE' })),
      action('Reset password', () => {
        const password = prompt(`A new password for ${account.name} (at least 12 characters):`);
        if (password) changeAccount(`${account.name} has a new password.`, `${path}/password`, { method: 'PUT', json: { password } });
      }),
      self ? null : action('Delete', () => {
        if (confirm(`Delete the account ${account.name}? The audit log keeps its name.`)) {
          changeAccount(`${account.name} is deleted.`, path, { method: 'DELETE' });
        }
      }),
    );
  }));
}

async function changeAccount(done, path, options) {
  const failure = await call(path, options).then(() => null, (error) => error);
  $('accounts-status').textContent = failure ? `Not changed: ${failure.message}` : done;
  await Promise.all([loadAccounts(), loadAudit()]);
}

async function rollback(version) {
  if (!confirm(`Make version ${version} the live hall again?`)) return;
  const failure = await call(`/api/v1/staff/versions/${version}/rollback`, { method: 'POST' }).then(() => null, (error) => error);
  await Promise.all([loadVersions(), loadAudit()]);
  say(failure ? `Rollback failed: ${failure.message}` : `Rolled back: visitors see version ${version}.`, failure ? 'error' : 'ok');
}

async function loadAudit() {
  const entries = await call('/api/v1/staff/audit?limit=50').catch(() => null);
  if (!entries) return;
  $('audit').replaceChildren(...entries.map((entry) => h('li', {},
    h('time', { textContent: entry.at.replace('T', ' ').replace('Z', '') }),
    ` ${entry.staff} · ${entry.action.replaceAll('_', ' ')}${entry.target ? ` · ${entry.target}` : ''}`,
  )));
}

// ---------- review queue (issue 4's endpoints) ----------

async function loadReview() {
  const list = $('review');
  let submissions;
  try {
    submissions = await call('/api/v1/staff/submissions');
  } catch (error) {
    if (error.status === 404) {
      list.replaceChildren(h('li', { className: 'staff-muted', textContent: 'The review queue is not available on this server yet.' }));
    }
    return;
  }
  $('review-count').textContent = String(submissions.length);
  list.replaceChildren(...(submissions.length ? submissions.map((s) => h('li', {},
    h('button', {
      type: 'button', className: 'staff-link-button', textContent: `${s.profile?.name ?? s.exhibitor} · ${s.submitted_at.replace('T', ' ').replace('Z', '')}`,
      onclick: () => showSubmission(s.id),
    }))) : [h('li', { className: 'staff-muted', textContent: 'Nothing waits for review.' })]));
}

function profileColumn(title, profile, other) {
  const changed = (field) => other && JSON.stringify(profile?.[field]) !== JSON.stringify(other?.[field]);
  const field = (label, key, value) => h('div', { className: `staff-field${changed(key) ? ' changed' : ''}` },
    h('dt', { textContent: label }), h('dd', { textContent: value ?? '—' }));
  const description = Array.isArray(profile?.description) ? profile.description.join('\n\n') : profile?.description;
  const products = (profile?.products ?? []).map((p) => `${p.name} (${p.category}): ${p.summary}`).join('\n');
  return h('div', { className: 'staff-compare-column' }, h('h3', { textContent: title }),
    h('dl', {},
      field('Name', 'name', profile?.name),
      field('Tagline', 'tagline', profile?.tagline),
      field('Website', 'website', profile?.website),
      field('Description', 'description', description),
      field('Products', 'products', products)));
}

async function showSubmission(id) {
  const detail = $('review-detail');
  let submission;
  try {
    submission = await call(`/api/v1/staff/submissions/${id}`);
  } catch (error) {
    detail.textContent = error.message;
    return;
  }
  // What visitors see now (none for a booth not yet published).
  const current = await api(`/api/v1/exhibitors/${encodeURIComponent(submission.exhibitor)}`).catch(() => null);
  const proposed = { ...submission.profile, description: submission.profile.description };
  const currentProfile = current && { ...current, description: current.description };
  // Compare like with like: the published detail has paragraphs, the proposal one text.
  if (currentProfile && Array.isArray(currentProfile.description) && typeof proposed.description === 'string') {
    proposed.description = proposed.description.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  }
  const reason = h('textarea', { id: 'reject-reason', placeholder: 'Reason for the exhibitor (required to reject)', rows: 2 });
  detail.replaceChildren(
    h('div', { className: 'staff-compare' },
      profileColumn('Current (published)', currentProfile, proposed),
      profileColumn('Proposed', proposed, currentProfile)),
    proposedMedia(submission.media),
    reason,
    h('div', { className: 'staff-inline' },
      h('button', { type: 'button', className: 'staff-button', textContent: 'Approve', onclick: () => decide(id, 'approve') }),
      h('button', { type: 'button', className: 'staff-button staff-ghost', textContent: 'Reject', onclick: () => decide(id, 'reject', reason.value) })),
  );
}

// Proposed media are not public until they are published: each is fetched with the staff
// token and shown from a blob URL (pictures, a video player, download links), so nothing is
// approved blind.
function proposedMedia(items = []) {
  const list = h('ul', { className: 'staff-media' });
  for (const item of items) {
    const entry = h('li', { className: 'staff-media-item' },
      h('span', { textContent: `${item.kind} · ${item.title || item.sha256.slice(0, 12)} · ${Math.ceil(item.byte_size / 1024)} KiB` }));
    list.append(entry);
    fetch(item.url, { headers: { authorization: `Bearer ${state.token}` } })
      .then((reply) => (reply.ok ? reply.blob() : Promise.reject(new Error(`the server answered ${reply.status}`))))
      .then((blob) => {
        const url = URL.createObjectURL(blob);
        if (item.kind === 'image') entry.prepend(h('img', { src: url, alt: item.title || 'proposed picture' }));
        else if (item.kind === 'video') entry.prepend(h('video', { src: url, controls: true, preload: 'metadata' }));
        else entry.append(' ', h('a', { href: url, download: item.url.split('/').pop(), textContent: item.kind === 'brochure' ? 'download the brochure' : 'download the model' }));
      })
      .catch((error) => entry.append(` (cannot load it: ${error.message})`));
  }
  return h('div', {}, h('p', { className: 'staff-muted', textContent: `${items.length} media item(s) proposed` }), list);
}

async function decide(id, verdict, reason) {
  try {
    await call(`/api/v1/staff/submissions/${id}/${verdict}`, { method: 'POST', json: verdict === 'reject' ? { reason } : undefined });
    say(verdict === 'approve' ? 'Approved: visitors see it from the next publish.' : 'Rejected; the exhibitor sees your reason.', 'ok');
    $('review-detail').replaceChildren();
  } catch (error) {
    say(error.message, 'error');
  }
  await Promise.all([loadReview(), loadAudit()]);
}

// ---------- go ----------

if (state.token) start(); else signedOut('');
