// Pavilion page shell: starts the 3D viewer, keeps the directory and the booth panel in the DOM,
// and talks to the viewer through its bridge (calls in: focus_booth; CustomEvents out: pavilion:*).

const $ = (id) => document.getElementById(id);
const state = { exhibitors: [], selected: null, viewer: null };
window.pavilion = { metrics: {} };

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
function hallUrl() {
  const asked = new URLSearchParams(location.search).get('hall');
  return asked && asked.startsWith('/api/') ? asked : '/api/v1/hall';
}

async function fetchJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body?.message ?? `${url} answered ${response.status}`);
  }
  return body;
}

async function startViewer() {
  let viewer;
  try {
    viewer = await import('/pkg/pavilion_viewer.js');
    $('loading-detail').textContent = 'Loading the 3D engine';
    await viewer.default();
  } catch (error) {
    console.error(error);
    showFailure('The 3D viewer could not be loaded. If you run Pavilion yourself, build it with "cargo xtask serve". ' +
      'Your browser also needs WebGL2.');
    return;
  }
  state.viewer = viewer;
  $('loading-detail').textContent = 'Building the hall';
  try {
    viewer.start('#hall-canvas', hallUrl());
  } catch (error) {
    // Some winit versions leave the start function by throwing; the app keeps running.
    if (!String(error).includes('Using exceptions for control flow')) {
      console.error(error);
      showFailure(`The 3D viewer stopped: ${error}`);
    }
  }
}

function topicLabel(slug) {
  return state.topics?.get(slug) ?? slug.replace(/-/g, ' ');
}

function renderDirectory(filter = '') {
  const list = $('directory-list');
  const needle = filter.trim().toLowerCase();
  const matches = state.exhibitors.filter((e) =>
    !needle || [e.name, e.tagline, e.topic, topicLabel(e.topic)].some((text) => text.toLowerCase().includes(needle)));
  const groups = new Map();
  for (const exhibitor of matches) {
    if (!groups.has(exhibitor.topic)) groups.set(exhibitor.topic, []);
    groups.get(exhibitor.topic).push(exhibitor);
  }
  list.replaceChildren();
  for (const [topic, members] of [...groups.entries()].sort((a, b) => topicLabel(a[0]).localeCompare(topicLabel(b[0])))) {
    const group = document.createElement('section');
    group.className = 'topic-group';
    const heading = document.createElement('h3');
    heading.textContent = topicLabel(topic);
    group.append(heading);
    for (const exhibitor of members) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'exhibitor-link';
      button.dataset.slug = exhibitor.slug;
      button.setAttribute('role', 'listitem');
      if (exhibitor.slug === state.selected) button.setAttribute('aria-current', 'true');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = /^#[0-9a-f]{6}$/i.test(exhibitor.colour) ? exhibitor.colour : '#888';
      const name = document.createElement('span');
      name.textContent = exhibitor.name;
      button.append(swatch, name);
      if (exhibitor.tier !== 'standard') {
        const badge = document.createElement('span');
        badge.className = 'tier-badge';
        badge.textContent = exhibitor.tier;
        button.append(badge);
      }
      button.addEventListener('click', () => focusBooth(exhibitor.slug));
      group.append(button);
    }
    list.append(group);
  }
  $('directory-count').textContent = needle ? `${matches.length} of ${state.exhibitors.length}` : `${state.exhibitors.length}`;
}

function focusBooth(slug) {
  if (state.viewer && document.body.dataset.state === 'ready') {
    state.viewer.focus_booth(slug);
  } else {
    showBooth(slug);
  }
}

async function showBooth(slug) {
  state.selected = slug;
  for (const link of document.querySelectorAll('.exhibitor-link')) {
    link.toggleAttribute('aria-current', link.dataset.slug === slug);
    if (link.dataset.slug === slug) link.setAttribute('aria-current', 'true');
  }
  let detail;
  try {
    detail = await fetchJson(`/api/v1/exhibitors/${encodeURIComponent(slug)}`);
  } catch (error) {
    $('panel-name').textContent = 'Booth unavailable';
    $('panel-tagline').textContent = error.message;
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
  $('panel-description').replaceChildren(...detail.description.map((text) => {
    const p = document.createElement('p');
    p.textContent = text;
    return p;
  }));
  $('panel-products').replaceChildren(...detail.products.map((product) => {
    const item = document.createElement('li');
    const category = document.createElement('span');
    category.className = 'category';
    category.textContent = product.category;
    const name = document.createElement('strong');
    name.textContent = product.name;
    const summary = document.createElement('p');
    summary.textContent = product.summary;
    item.append(category, name, summary);
    return item;
  }));
  $('panel-website').href = detail.website;
  $('panel-email').href = `mailto:${detail.email}`;
  $('booth-panel').hidden = false;
  $('booth-panel').dataset.slug = slug;
}

function closePanel() {
  $('booth-panel').hidden = true;
  state.selected = null;
  for (const link of document.querySelectorAll('.exhibitor-link[aria-current]')) link.removeAttribute('aria-current');
}

window.addEventListener('pavilion:ready', (event) => {
  // performance.now() counts from the start of navigation: this is page load to first hall frame.
  window.pavilion.metrics.firstFrameMs = Math.round(performance.now());
  window.pavilion.metrics.booths = event.detail.booths;
  setState('ready');
  $('loading').hidden = true;
  $('hall-canvas').focus();
});
window.addEventListener('pavilion:textures', (event) => {
  window.pavilion.metrics.texturesMs = Math.round(performance.now());
  document.body.dataset.textures = event.detail.failed ? 'partial' : 'settled';
});
window.addEventListener('pavilion:select', (event) => showBooth(event.detail.slug));
window.addEventListener('pavilion:error', (event) => showFailure(event.detail.message));

$('panel-close').addEventListener('click', closePanel);
$('retry').addEventListener('click', () => location.reload());
$('search').addEventListener('input', (event) => renderDirectory(event.target.value));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !$('booth-panel').hidden) closePanel();
});
$('hall-canvas').addEventListener('pointerdown', () => $('hall-canvas').focus());

async function loadDirectory() {
  try {
    const exhibitors = await fetchJson('/api/v1/exhibitors');
    state.exhibitors = exhibitors;
    renderDirectory();
  } catch (error) {
    $('directory-count').textContent = 'unavailable';
    console.error('directory', error);
  }
}

const topicNames = {
  'app-privacy': 'Personal Information Protection in Apps', 'security-standards': 'Security Standards',
  'industry-innovation': 'Industry Innovation', 'cyber-literacy': 'Cyber Literacy Education',
  'youth-security': 'Youth Cyber Security', finance: 'Financial Security', telecoms: 'Telecom Security',
  'rule-of-law': 'Rule of Law', 'network-security': 'Network Security', 'data-security': 'Data Security',
  identity: 'Identity and Access', 'cloud-security': 'Cloud Security', 'endpoint-security': 'Endpoint Security',
  'industrial-control': 'Industrial Control Systems', cryptography: 'Cryptography', 'threat-intelligence': 'Threat Intelligence',
};
state.topics = new Map(Object.entries(topicNames));

loadDirectory();
startViewer();
