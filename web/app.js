// Pavilion page shell: starts the 3D viewer, keeps the directory, the booth panel, the minimap
// and the 2D twin of the hall (a floor plan) in the DOM, keeps the address in step with what is
// open (#/booth/<slug>, #/hall/<id>, #/topic/<topic>, #/stage/<id>), and talks to the viewer through its bridge
// (calls in: focus_booth, walk_to; CustomEvents out: pavilion:*).

import { floorPlan, hallEntrance, zoneEntrance } from '/floorplan.js';
import { $, api, apiUrl, h } from '/lib.js';
import * as analytics from '/analytics.js';
import { renderBoothMedia, stopBoothMedia } from '/panel-media.js';
import * as visitorLists from '/saved-list.js';
import { closeStage, openStage, stageAreas, stageShown, stageViewpoint } from '/stage-panel.js';

const state = {
  exhibitors: [], topics: new Map(), selected: null, viewer: null,
  // The published hall (for the plans), the visitor's last pose, the view shown ('3d' or '2d'),
  // the hall the 2D plan shows, the topic the directory is filtered to, a walk waiting for the
  // viewer, the address last acted on.
  snapshot: null, pose: null, view: '3d', planHall: null, topicFilter: null, pendingWalk: null, appliedHash: null,
  plan: null, minimap: null, viewerStarted: false,
};
// `focusBooth` is also what the viewer benchmark walks the hall with.
window.pavilion = { metrics: {}, focusBooth: (slug) => focusBooth(slug) };

function setState(name) {
  document.body.dataset.state = name;
}

function showFailure(message) {
  setState('failed');
  $('loading').hidden = true;
  $('failure').hidden = false;
  $('failure-detail').textContent = message;
}

// Only same-origin API paths may be given as ?hall=...; anything else falls back to the default.
// In a static export the hall is its file.
function hallUrl() {
  const asked = new URLSearchParams(location.search).get('hall');
  const path = asked && asked.startsWith('/api/') ? asked : '/api/v1/hall';
  return apiUrl(path) ?? path;
}

const VIEWER_WASM = '/pkg/pavilion_viewer_bg.wasm';

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Shows how much of the viewer has arrived: `total` is 0 when its size is unknown. */
function showDownload(loaded, total) {
  const bar = $('loading-progress');
  bar.hidden = false;
  if (total > 0) {
    bar.max = total;
    bar.value = Math.min(loaded, total);
    $('loading-bytes').textContent = `${megabytes(loaded)} of ${megabytes(total)}`;
  } else {
    bar.removeAttribute('value');
    $('loading-bytes').textContent = megabytes(loaded);
  }
}

/**
 * Fetches the viewer's wasm, counting the bytes as they stream in for the progress bar. The
 * browser hands over decoded bytes while Content-Length counts compressed ones, so the total
 * comes from the sizes the build wrote beside the wasm. Returns a Response the wasm can be
 * compiled from while it streams.
 */
async function fetchViewerWasm() {
  const total = await api('/pkg/viewer-sizes.json').then((sizes) => sizes.wasm ?? 0, () => 0);
  const response = await fetch(VIEWER_WASM);
  if (!response.ok || !response.body) return response;
  const reader = response.body.getReader();
  let loaded = 0;
  showDownload(0, total);
  const counted = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        window.pavilion.metrics.wasmBytes = loaded;
        controller.close();
        return;
      }
      loaded += value.byteLength;
      showDownload(loaded, total);
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(counted, { headers: { 'content-type': 'application/wasm' } });
}

async function startViewer() {
  let viewer;
  try {
    viewer = await import('/pkg/pavilion_viewer.js');
    $('loading-detail').textContent = 'Loading the 3D engine';
    await viewer.default({ module_or_path: fetchViewerWasm() });
    $('loading-progress').hidden = true;
    $('loading-bytes').textContent = '';
  } catch (error) {
    console.error(error);
    showFailure('The 3D viewer could not be loaded. If you run Pavilion yourself, build it with "cargo xtask serve". ' +
      'Your browser also needs WebGL2.');
    return;
  }
  state.viewer = viewer;
  $('loading-detail').textContent = 'Building the hall';
  try {
    // `?scene=bare`: a camera, a light and a cube from the same wasm, the baseline of the
    // viewer benchmark (`cargo xtask bench-viewer`).
    if (new URLSearchParams(location.search).get('scene') === 'bare') viewer.start_bare_scene('#hall-canvas');
    else viewer.start('#hall-canvas', hallUrl());
  } catch (error) {
    // Some winit versions leave the start function by throwing; the app keeps running.
    if (!String(error).includes('Using exceptions for control flow')) {
      console.error(error);
      showFailure(`The 3D viewer stopped: ${error}`);
    }
  }
}

// Labels come with each exhibitor from the API; the slug is the fallback for older snapshots.
function topicLabel(slug) {
  return state.topics.get(slug) ?? slug.replace(/-/g, ' ');
}

function renderDirectory(filter = '') {
  const list = $('directory-list');
  const needle = filter.trim().toLowerCase();
  const matches = state.exhibitors.filter((e) => (!state.topicFilter || e.topic === state.topicFilter)
    && (!needle || [e.name, e.tagline, e.topic, topicLabel(e.topic)].some((text) => text.toLowerCase().includes(needle))));
  const groups = new Map();
  for (const exhibitor of matches) {
    if (!groups.has(exhibitor.topic)) groups.set(exhibitor.topic, []);
    groups.get(exhibitor.topic).push(exhibitor);
  }
  const byLabel = (a, b) => topicLabel(a[0]).localeCompare(topicLabel(b[0]));
  // A heading and a list per topic; the entries are real buttons inside list items, so screen
  // readers announce both the list and each button.
  list.replaceChildren(...[...groups.entries()].sort(byLabel).map(([topic, members]) => {
    const headingId = `topic-${topic}`;
    return h('section', { className: 'topic-group' },
      h('h3', { id: headingId }, h('a', { href: `#/topic/${topic}`, className: 'topic-link', textContent: topicLabel(topic), onclick: sameAddress })),
      h('ul', { className: 'topic-members', 'aria-labelledby': headingId }, members.map((exhibitor) => h('li', {},
        h('button', {
          type: 'button',
          className: 'exhibitor-link',
          dataset: { slug: exhibitor.slug },
          'aria-current': exhibitor.slug === state.selected ? 'true' : null,
          onclick: () => focusBooth(exhibitor.slug),
        },
        h('span', { className: 'swatch', style: { background: /^#[0-9a-f]{6}$/i.test(exhibitor.colour) ? exhibitor.colour : '#888' } }),
        h('span', { textContent: exhibitor.name }),
        exhibitor.tier !== 'standard' ? h('span', { className: 'tier-badge', textContent: exhibitor.tier }) : null)))));
  }));
  visitorLists.markVisitedIn(list);
  $('directory-count').textContent = needle || state.topicFilter ? `${matches.length} of ${state.exhibitors.length}` : `${state.exhibitors.length}`;
}

function focusBooth(slug) {
  if (state.viewer && document.body.dataset.state === 'ready') {
    state.viewer.focus_booth(slug);
  } else {
    showBooth(slug);
  }
}

// Deep links: an open booth is `#/booth/<slug>` in the address, a hall `#/hall/<id>` and a topic
// `#/topic/<topic>`, so each can be shared and bookmarked, and the back and forward buttons move
// between them. A booth opens its panel with the visitor standing in front of it; a hall or a
// topic walks the visitor to its entrance (and a topic filters the directory to it); a stage
// (`#/stage/<id>`, also the contest desk's `#/stage/contest`) walks the visitor into its
// audience and opens the stage panel.
const ADDRESS = /^#\/(booth|hall|topic|stage)\/([a-z0-9-]{1,48})$/;

function routeInAddress() {
  const [, kind, id] = ADDRESS.exec(location.hash) ?? [];
  return kind ? { kind, id } : null;
}

function boothInAddress() {
  const route = routeInAddress();
  return route?.kind === 'booth' && route.id.length >= 3 ? route.id : null;
}

/** Puts the open booth (or none) into the address, unless it is there already. */
function recordBooth(slug) {
  if (boothInAddress() === slug) return;
  history.pushState({ planHall: state.planHall }, '', slug ? `#/booth/${slug}` : `${location.pathname}${location.search}`);
  state.appliedHash = location.hash;
}

/** Makes the page show what the address names. */
function applyRoute() {
  if (state.appliedHash === location.hash) return;
  state.appliedHash = location.hash;
  const route = routeInAddress();
  if (route?.kind === 'booth') {
    if (route.id !== state.selected) focusBooth(route.id);
    return;
  }
  if (!$('booth-panel').hidden) closePanel();
  if (route?.kind !== 'stage' && stageShown()) closeStage();
  if (route?.kind === 'stage') {
    goToStage(route.id);
    return;
  }
  setTopicFilter(route?.kind === 'topic' ? route.id : null);
  // Back to an address naming nothing: the plan shows the hall it showed there.
  if (!route && history.state?.planHall) showPlanHall(history.state.planHall);
  else if (state.planHall && !route) history.replaceState({ ...(history.state ?? {}), planHall: state.planHall }, '');
  if (route?.kind === 'hall') goToHall(route.id);
  else if (route?.kind === 'topic') goToTopic(route.id);
}

// The browser fires one or both for a change of address; applyRoute acts once.
window.addEventListener('popstate', applyRoute);
window.addEventListener('hashchange', applyRoute);

/** A link to the address already shown acts again (walks back to the hall's entrance). */
function sameAddress(event) {
  if (event.currentTarget.getAttribute('href') !== location.hash) return;
  event.preventDefault();
  state.appliedHash = null;
  applyRoute();
}

function setTopicFilter(topic) {
  state.topicFilter = topic && (!state.topics.size || state.topics.has(topic)) ? topic : null;
  $('topic-filter').hidden = !state.topicFilter;
  $('topic-filter-name').textContent = state.topicFilter ? topicLabel(state.topicFilter) : '';
  renderDirectory($('search').value);
  state.plan?.highlightTopic(state.topicFilter);
}

$('topic-filter-clear').addEventListener('click', () => {
  history.pushState(null, '', `${location.pathname}${location.search}`);
  applyRoute();
  $('search').focus();
});

function hallById(id) {
  return state.snapshot?.halls.find((hall) => hall.id === id) ?? null;
}

function goToHall(id) {
  if (!state.snapshot) return;
  const hall = hallById(id);
  if (!hall) return announce(`There is no hall called ${id}.`);
  showPlanHall(hall.id);
  walk(hallEntrance(hall));
  announce(`${hall.name}: ${state.view === '3d' ? 'walking to its entrance' : 'shown on the floor plan'}.`);
}

function goToTopic(topic) {
  if (!state.snapshot) return;
  const hall = state.snapshot.halls.find((h) => h.zones.some((zone) => zone.topic === topic));
  if (!hall) return announce(`No hall has the topic ${topicLabel(topic)}.`);
  showPlanHall(hall.id);
  walk(zoneEntrance(hall, hall.zones.find((zone) => zone.topic === topic)));
  announce(`${topicLabel(topic)} in ${hall.name.replace(/:.*/, '')}: ${state.exhibitors.filter((e) => e.topic === topic).length} exhibitors.`);
}

function goToStage(id) {
  openStage(id);
  if (!state.snapshot) return;
  const place = stageAreas(state.snapshot).find(({ area }) => area.stage === id);
  if (!place) return announce(id === 'contest' ? 'The contest desk is not in the hall; the panel opens the contest.' : `No stage in the hall shows ${id}.`);
  showPlanHall(place.hall.id);
  walk(stageViewpoint(place.hall, place.area));
  announce(`${place.area.name || id}: ${state.view === '3d' ? 'walking to its audience' : 'shown on the floor plan'}.`);
}

/** Puts a stage into the address (a click on its screen), which opens it. */
function chooseStage(id) {
  if (routeInAddress()?.kind === 'stage' && routeInAddress().id === id) {
    openStage(id);
    return;
  }
  history.pushState({ planHall: state.planHall }, '', `#/stage/${id}`);
  state.appliedHash = null;
  applyRoute();
}

/** Walks the visitor to `{ stand, look }` now, or once the 3D hall is ready. */
function walk(target) {
  if (state.viewer && document.body.dataset.state === 'ready') {
    state.viewer.walk_to(target.stand[0], target.stand[1], target.look?.[0], target.look?.[1]);
    state.pendingWalk = null;
  } else {
    state.pendingWalk = target;
  }
}

function announce(message) {
  $('announcer').textContent = message;
}

async function showBooth(slug) {
  if (stageShown()) closeStage();
  state.selected = slug;
  recordBooth(slug);
  selectOnPlans(slug);
  for (const link of document.querySelectorAll('.exhibitor-link')) {
    link.toggleAttribute('aria-current', link.dataset.slug === slug);
    if (link.dataset.slug === slug) link.setAttribute('aria-current', 'true');
  }
  let detail;
  try {
    detail = await api(`/api/v1/exhibitors/${encodeURIComponent(slug)}`);
  } catch (error) {
    $('panel-name').textContent = 'Booth unavailable';
    $('panel-tagline').textContent = error.message;
    renderBoothMedia({ media: [] });
    $('booth-panel').hidden = false;
    return;
  }
  if (state.selected !== slug) return;
  $('panel-logo').src = detail.logo_url;
  $('panel-logo').alt = `${detail.name} logo`;
  $('panel-topic').textContent = detail.topic_label;
  $('panel-name').textContent = detail.name;
  $('panel-tagline').textContent = detail.tagline;
  $('panel-founded').textContent = detail.founded;
  $('panel-hq').textContent = detail.headquarters;
  $('panel-tier').textContent = detail.tier;
  $('panel-description').replaceChildren(...detail.description.map((text) => h('p', { textContent: text })));
  $('panel-products').replaceChildren(...detail.products.map((product) => h('li', {},
    h('span', { className: 'category', textContent: product.category }),
    h('strong', { textContent: product.name }),
    h('p', { textContent: product.summary }))));
  renderBoothMedia(detail);
  $('panel-website').href = detail.website;
  $('panel-email').href = `mailto:${detail.email}`;
  $('booth-panel').hidden = false;
  // In the 2D plan the panel is where the visit goes on: take the keyboard there.
  if (state.view === '2d') {
    if (!$('booth-panel').contains(document.activeElement)) state.opener = document.activeElement;
    $('panel-name').tabIndex = -1;
    $('panel-name').focus();
  }
  $('booth-panel').dataset.slug = slug;
  analytics.boothShown(slug, detail);
  visitorLists.boothOpened(slug, detail.name);
  visitorLists.markVisitedIn($('directory-list'));
  visitorLists.markVisitedIn(state.plan?.element);
}

function closePanel() {
  analytics.boothClosed();
  stopBoothMedia();
  visitorLists.boothClosed();
  $('booth-panel').hidden = true;
  state.selected = null;
  recordBooth(null);
  selectOnPlans(null);
  for (const link of document.querySelectorAll('.exhibitor-link[aria-current]')) link.removeAttribute('aria-current');
  // The keyboard was in the panel: give it back to what opened the booth.
  if (state.focusInPanel && state.opener?.isConnected) state.opener.focus();
}

// Whether the keyboard is in the booth panel (hiding the panel moves it out by itself).
document.addEventListener('focusin', (event) => {
  state.focusInPanel = $('booth-panel').contains(event.target);
});

// `#/booth/<slug>` (a shared link) or `?booth=<slug>` (the exhibitor portal's preview link)
// opens that booth: its panel at once, and the walk to it once the hall is ready.
const requestedBooth = boothInAddress()
  ?? (/^[a-z0-9-]{3,48}$/.test(new URLSearchParams(location.search).get('booth') ?? '')
    ? new URLSearchParams(location.search).get('booth') : null);

window.addEventListener('pavilion:ready', (event) => {
  // performance.now() counts from the start of navigation: this is page load to first hall frame.
  window.pavilion.metrics.firstFrameMs = Math.round(performance.now());
  // Everything fetched before the first frame: the page itself plus its resources.
  window.pavilion.metrics.requestsBeforeFirstFrame = 1 + performance.getEntriesByType('resource').length;
  window.pavilion.metrics.booths = event.detail.booths;
  setState('ready');
  $('loading').hidden = true;
  if (state.view === '3d') $('hall-canvas').focus();
  if (requestedBooth) focusBooth(requestedBooth);
  else if (state.pendingWalk) walk(state.pendingWalk);
});
window.addEventListener('pavilion:pose', (event) => {
  state.pose = event.detail;
  window.pavilion.pose = event.detail;
  state.minimap?.showVisitor(state.pose);
  state.plan?.showVisitor(state.pose);
});
window.addEventListener('pavilion:textures', (event) => {
  window.pavilion.metrics.texturesMs = Math.round(performance.now());
  document.body.dataset.textures = event.detail.failed ? 'partial' : 'settled';
});
window.addEventListener('pavilion:select', (event) => showBooth(event.detail.slug));
window.addEventListener('pavilion:stage', (event) => chooseStage(event.detail.stage));
window.addEventListener('pavilion:error', (event) => showFailure(event.detail.message));

$('panel-close').addEventListener('click', closePanel);
$('stage-panel-close').addEventListener('click', () => {
  history.pushState({ planHall: state.planHall }, '', `${location.pathname}${location.search}`);
  state.appliedHash = null;
  applyRoute();
});
$('retry').addEventListener('click', () => location.reload());
$('failure-plan').addEventListener('click', () => setView('2d', { remember: false }));
$('search').addEventListener('input', (event) => renderDirectory(event.target.value));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && $('picture-viewer')?.open) return;
  if (event.key === 'Escape' && !$('booth-panel').hidden) closePanel();
  else if (event.key === 'Escape' && stageShown()) $('stage-panel-close').click();
});
$('hall-canvas').addEventListener('pointerdown', () => $('hall-canvas').focus());

async function loadDirectory() {
  try {
    const exhibitors = await api('/api/v1/exhibitors');
    state.exhibitors = exhibitors;
    state.topics = new Map(exhibitors.filter((e) => e.topic_label).map((e) => [e.topic, e.topic_label]));
    setTopicFilter(state.topicFilter);
    renderPlans();
  } catch (error) {
    $('directory-count').textContent = 'unavailable';
    console.error('directory', error);
  }
}

// ---- The floor plans: the minimap over the 3D hall and the 2D twin of the hall ----

async function loadSnapshot() {
  try {
    state.snapshot = await api(hallUrl());
  } catch (error) {
    console.error('floor plan', error);
    $('plan-notice').hidden = false;
    $('plan-notice').textContent = `The floor plan could not be loaded: ${error.message}`;
    return;
  }
  $('hall-links').replaceChildren(...state.snapshot.halls.map((hall) => h('li', {},
    h('a', { href: `#/hall/${hall.id}`, className: 'hall-link', title: hall.name, onclick: sameAddress, textContent: hall.name.replace(/:.*/, '') }))));
  renderPlans();
  // A hall or topic in the address is acted on once the plan knows where it is.
  state.appliedHash = null;
  if (!requestedBooth) applyRoute();
}

/** The exhibitors by slug, for the plans' labels. */
function exhibitorsBySlug() {
  return new Map(state.exhibitors.map((e) => [e.slug, e]));
}

function hallOfBooth(slug) {
  return state.snapshot?.halls.find((hall) => hall.booths.some((b) => b.exhibitor === slug)) ?? null;
}

/** The hall nearest the visitor's pose. */
function hallOfPose(pose) {
  if (!pose || !state.snapshot) return null;
  const distance = (hall) => Math.abs(pose.x - (hall.origin[0] + hall.width / 2));
  return [...state.snapshot.halls].sort((a, b) => distance(a) - distance(b))[0];
}

function renderPlans() {
  if (!state.snapshot) return;
  const names = exhibitorsBySlug();
  state.minimap = floorPlan(state.snapshot, { names, className: 'fp-mini', markerScale: 2.6 });
  $('minimap-frame').replaceChildren(state.minimap.element);
  // The frame takes the plan's proportions, so the map has no empty bands.
  const [, , width, depth] = state.minimap.element.getAttribute('viewBox').split(' ').map(Number);
  $('minimap-frame').style.aspectRatio = `${width} / ${depth}`;
  state.minimap.select(state.selected);
  state.minimap.showVisitor(state.pose);
  $('minimap').hidden = false;
  renderTwin();
}

/** Draws the 2D twin: the hall `state.planHall` with its booths as links, and the hall tabs. */
function renderTwin() {
  if (!state.snapshot) return;
  const hall = hallById(state.planHall) ?? hallOfBooth(state.selected) ?? hallOfPose(state.pose) ?? state.snapshot.halls[0];
  if (!hall) return;
  state.planHall = hall.id;
  if (history.state?.planHall !== hall.id) history.replaceState({ ...(history.state ?? {}), planHall: hall.id }, '');
  $('plan-halls').replaceChildren(...state.snapshot.halls.map((each) => h('li', {},
    h('a', {
      href: `#/hall/${each.id}`,
      className: 'plan-hall-tab',
      'aria-current': each.id === hall.id ? 'true' : null,
      onclick: sameAddress,
      textContent: each.name.replace(/:.*/, ''),
    }))));
  $('plan-title').textContent = `Floor plan of ${hall.name}`;
  state.plan = floorPlan(state.snapshot, {
    halls: [hall], names: exhibitorsBySlug(), links: true, labels: true, title: `${hall.name.replace(/:.*/, '')}: booths`, className: 'fp-twin', turned: LANDSCAPE.matches,
  });
  $('plan-frame').replaceChildren(state.plan.element);
  visitorLists.markVisitedIn(state.plan.element);
  state.plan.select(state.selected);
  state.plan.highlightTopic(state.topicFilter);
  if (state.viewerStarted) state.plan.showVisitor(state.pose);
}

// A deep hall fills a wide screen turned a quarter (entrances on the left), a tall one as it is.
const LANDSCAPE = window.matchMedia('(orientation: landscape)');
LANDSCAPE.addEventListener('change', () => renderTwin());

function showPlanHall(id) {
  if (state.planHall === id && state.plan) return;
  state.planHall = id;
  renderTwin();
}

function selectOnPlans(slug) {
  state.minimap?.select(slug);
  const hall = slug ? hallOfBooth(slug) : null;
  if (hall && hall.id !== state.planHall) showPlanHall(hall.id);
  else state.plan?.select(slug);
}

// Under the plan, the full name of the booth under the pointer or the keyboard (labels on the
// plan are cut to fit their booth); screen readers have it as the link's name already.
const PLAN_HELP = $('plan-help').textContent;
function captionBooth(event) {
  const booth = event.target?.closest?.('a.fp-booth');
  const name = booth?.querySelector('title')?.textContent;
  $('plan-help').textContent = name ? `${name}: press Enter or click to open the booth.` : PLAN_HELP;
  $('plan-help').classList.toggle('plan-caption', Boolean(name));
}
for (const type of ['focusin', 'pointerover']) $('plan-frame').addEventListener(type, captionBooth);
for (const type of ['focusout', 'pointerleave']) $('plan-frame').addEventListener(type, () => captionBooth({ target: null }));

// A click or tap on the minimap walks the visitor there.
$('minimap-frame').addEventListener('click', (event) => {
  const point = state.minimap?.worldPoint(event.clientX, event.clientY);
  if (!point || !state.viewer || document.body.dataset.state !== 'ready') return;
  state.viewer.walk_to(point[0], point[1]);
});

const MINIMAP_KEY = 'pavilion.minimap';
function showMinimap(shown) {
  $('minimap-frame').hidden = !shown;
  $('minimap').classList.toggle('minimap-folded', !shown);
  $('minimap-toggle').setAttribute('aria-expanded', String(shown));
  $('minimap-toggle').textContent = shown ? 'Hide map' : 'Show map';
}
$('minimap-toggle').addEventListener('click', () => {
  const shown = $('minimap-frame').hidden;
  showMinimap(shown);
  try { localStorage.setItem(MINIMAP_KEY, shown ? 'shown' : 'hidden'); } catch { /* storage refused: not remembered */ }
});

// ---- Small screens: the directory slides over the hall when asked for ----

const SMALL_SCREEN = window.matchMedia('(max-width: 800px)');
function openDirectory(open) {
  document.body.dataset.drawer = open ? 'open' : 'closed';
  $('directory-toggle').setAttribute('aria-expanded', String(open));
}
$('directory-toggle').addEventListener('click', () => openDirectory(document.body.dataset.drawer !== 'open'));
$('search').addEventListener('input', () => { if (SMALL_SCREEN.matches) openDirectory(true); });
// Picking an exhibitor, a hall or a topic in the drawer shows it: the drawer steps aside.
$('directory').addEventListener('click', (event) => {
  if (SMALL_SCREEN.matches && event.target.closest('a, .exhibitor-link')) openDirectory(false);
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && document.body.dataset.drawer === 'open') openDirectory(false);
});

// ---- Touch: a thumb stick to walk, a finger dragged to look, a tap to open a booth or walk ----

/** A finger that moved less than this (CSS pixels) tapped rather than dragged. */
const TAP_TRAVEL = 10;
const viewerReady = () => state.viewer && document.body.dataset.state === 'ready';

function showTouchControls() {
  document.body.dataset.touch = 'true';
  $('thumb-stick').hidden = false;
}
if (window.matchMedia?.('(pointer: coarse)').matches) showTouchControls();

const fingers = new Map();
$('hall-canvas').addEventListener('pointerdown', (event) => {
  if (event.pointerType !== 'touch') return;
  showTouchControls();
  fingers.set(event.pointerId, { x: event.clientX, y: event.clientY, travel: 0 });
});
$('hall-canvas').addEventListener('pointermove', (event) => {
  const finger = fingers.get(event.pointerId);
  if (!finger) return;
  const dx = event.clientX - finger.x;
  const dy = event.clientY - finger.y;
  Object.assign(finger, { x: event.clientX, y: event.clientY, travel: finger.travel + Math.hypot(dx, dy) });
  if (finger.travel > TAP_TRAVEL && viewerReady()) state.viewer.look_by(dx, dy);
});
$('hall-canvas').addEventListener('pointerup', (event) => {
  const finger = fingers.get(event.pointerId);
  fingers.delete(event.pointerId);
  if (!finger || finger.travel > TAP_TRAVEL || !viewerReady()) return;
  const box = $('hall-canvas').getBoundingClientRect();
  state.viewer.tap(event.clientX - box.left, event.clientY - box.top);
});
$('hall-canvas').addEventListener('pointercancel', (event) => fingers.delete(event.pointerId));

// The thumb stick: the knob follows the thumb within the ring; its offset is the walk.
const STICK_REACH = 44;
function moveStick(event) {
  const box = $('thumb-stick').getBoundingClientRect();
  let dx = event.clientX - (box.left + box.width / 2);
  let dy = event.clientY - (box.top + box.height / 2);
  const length = Math.hypot(dx, dy);
  if (length > STICK_REACH) {
    dx *= STICK_REACH / length;
    dy *= STICK_REACH / length;
  }
  $('thumb-stick').firstElementChild.style.transform = `translate(${dx}px, ${dy}px)`;
  if (viewerReady()) state.viewer.set_stick(-dy / STICK_REACH, dx / STICK_REACH);
}
function releaseStick() {
  $('thumb-stick').firstElementChild.style.transform = '';
  $('thumb-stick').classList.remove('thumb-stick-held');
  if (viewerReady()) state.viewer.set_stick(0, 0);
}
$('thumb-stick').addEventListener('pointerdown', (event) => {
  $('thumb-stick').setPointerCapture(event.pointerId);
  $('thumb-stick').classList.add('thumb-stick-held');
  moveStick(event);
});
$('thumb-stick').addEventListener('pointermove', (event) => {
  if ($('thumb-stick').hasPointerCapture(event.pointerId)) moveStick(event);
});
$('thumb-stick').addEventListener('pointerup', releaseStick);
$('thumb-stick').addEventListener('pointercancel', releaseStick);

// ---- 3D or 2D: the hall in WebGL2, or the same exhibition as a keyboard-friendly floor plan ----

const VIEW_KEY = 'pavilion.view';

function hasWebGL2() {
  try {
    const context = document.createElement('canvas').getContext('webgl2');
    context?.getExtension('WEBGL_lose_context')?.loseContext();
    return Boolean(context);
  } catch {
    return false;
  }
}

function setView(view, { remember }) {
  state.view = view;
  document.body.dataset.view = view;
  $('view-3d').setAttribute('aria-pressed', String(view === '3d'));
  $('view-2d').setAttribute('aria-pressed', String(view === '2d'));
  $('plan-view').hidden = view !== '2d';
  // The canvas stays alive under the plan (the visitor keeps their place) but out of reach.
  $('hall-canvas').tabIndex = view === '3d' ? 0 : -1;
  $('hall-canvas').toggleAttribute('aria-hidden', view !== '3d');
  if (remember) {
    try { localStorage.setItem(VIEW_KEY, view); } catch { /* storage refused: not remembered */ }
  }
  if (view === '2d') {
    const hall = hallOfBooth(state.selected) ?? hallOfPose(state.pose);
    if (hall) state.planHall = hall.id;
    renderTwin();
  } else if (!state.viewerStarted) {
    state.viewerStarted = true;
    startViewer();
  }
}

$('view-3d').addEventListener('click', () => setView('3d', { remember: true }));
$('view-2d').addEventListener('click', () => setView('2d', { remember: true }));

function initialView() {
  const asked = new URLSearchParams(location.search).get('view');
  let stored = null;
  try { stored = localStorage.getItem(VIEW_KEY); } catch { /* no storage */ }
  try { showMinimap(localStorage.getItem(MINIMAP_KEY) !== 'hidden'); } catch { /* no storage */ }
  if (!hasWebGL2()) {
    $('view-3d').disabled = true;
    $('view-3d').title = 'This browser cannot draw the 3D hall: it has no WebGL2';
    $('plan-notice').hidden = false;
    $('plan-notice').textContent = 'This browser cannot draw the 3D hall (it has no WebGL2), so here is the same exhibition as a floor plan.';
    return '2d';
  }
  return ['2d', '3d'].includes(asked) ? asked : stored === '2d' ? '2d' : '3d';
}

{
  const route = routeInAddress();
  if (route?.kind === 'topic') state.topicFilter = route.id;
}
loadDirectory();
loadSnapshot();
setView(initialView(), { remember: false });
if (requestedBooth) showBooth(requestedBooth);
