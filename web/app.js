// Pavilion page shell: starts the 3D viewer, keeps the directory and the booth panel in the DOM,
// and talks to the viewer through its bridge (calls in: focus_booth; CustomEvents out: pavilion:*).

import { $, api, h } from '/lib.js';
import * as analytics from '/analytics.js';

const state = { exhibitors: [], topics: new Map(), selected: null, viewer: null };
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
function hallUrl() {
  const asked = new URLSearchParams(location.search).get('hall');
  return asked && asked.startsWith('/api/') ? asked : '/api/v1/hall';
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
  const matches = state.exhibitors.filter((e) =>
    !needle || [e.name, e.tagline, e.topic, topicLabel(e.topic)].some((text) => text.toLowerCase().includes(needle)));
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
      h('h3', { id: headingId, textContent: topicLabel(topic) }),
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
  $('directory-count').textContent = needle ? `${matches.length} of ${state.exhibitors.length}` : `${state.exhibitors.length}`;
}

function focusBooth(slug) {
  if (state.viewer && document.body.dataset.state === 'ready') {
    state.viewer.focus_booth(slug);
  } else {
    showBooth(slug);
  }
}

// Deep links: an open booth is `#/booth/<slug>` in the address, so it can be shared and
// bookmarked, and the back and forward buttons move between the booths opened.
const BOOTH_IN_ADDRESS = /^#\/booth\/([a-z0-9-]{3,48})$/;

function boothInAddress() {
  return BOOTH_IN_ADDRESS.exec(location.hash)?.[1] ?? null;
}

/** Puts the open booth (or none) into the address, unless it is there already. */
function recordBooth(slug) {
  if (boothInAddress() === slug) return;
  history.pushState(null, '', slug ? `#/booth/${slug}` : `${location.pathname}${location.search}`);
}

window.addEventListener('popstate', () => {
  const slug = boothInAddress();
  if (slug && slug !== state.selected) focusBooth(slug);
  else if (!slug && !$('booth-panel').hidden) closePanel();
});

async function showBooth(slug) {
  state.selected = slug;
  recordBooth(slug);
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
  renderMedia(detail);
  $('panel-website').href = detail.website;
  $('panel-email').href = `mailto:${detail.email}`;
  $('booth-panel').hidden = false;
  $('booth-panel').dataset.slug = slug;
  analytics.boothShown(slug, detail);
}

// Media URLs come from the server's content-addressed store; anything else is not shown.
const isMediaUrl = (url) => typeof url === 'string' && /^\/media\/[0-9a-f]{64}\.[a-z0-9]{2,4}$/.test(url);

function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

// The booth's pictures (thumbnails that open larger), brochure download and model note,
// in a section created once below the products. Built with DOM calls only.
function renderMedia(detail) {
  let section = $('panel-media');
  if (!section) {
    section = h('section', { id: 'panel-media', className: 'booth-media' });
    $('booth-panel').querySelector('.contact').before(section);
  }
  const media = (detail.media ?? []).filter((item) => isMediaUrl(item.url));
  const images = media.filter((item) => item.kind === 'image');
  const brochure = media.find((item) => item.kind === 'brochure');
  const model = media.find((item) => item.kind === 'model');
  const parts = [];
  if (images.length) {
    parts.push(
      h('h3', { textContent: 'Gallery' }),
      h('ul', { className: 'gallery' }, images.map((item, index) => h('li', {},
        h('button', {
          type: 'button',
          className: 'thumb',
          'aria-label': `Show picture ${index + 1}: ${item.title}`,
          onclick: () => openPicture(item, detail.name),
        }, h('img', {
          src: item.url,
          alt: item.title,
          loading: 'lazy',
          width: item.width && item.height ? item.width : null,
          height: item.width && item.height ? item.height : null,
        }))))),
    );
  }
  for (const item of media.filter((m) => m.kind === 'video')) {
    parts.push(h('video', { className: 'booth-video', controls: true, preload: 'none', src: item.url, title: item.title,
      onplay: () => analytics.mediaPlayed(detail.slug, item.url) }));
  }
  if (brochure) {
    const size = formatSize(brochure.byte_size);
    parts.push(h('a', {
      className: 'brochure-link',
      href: brochure.url,
      download: `${detail.slug}-brochure.pdf`,
      textContent: `Download the brochure (PDF${size ? `, ${size}` : ''})`,
      onclick: () => analytics.brochureDownloaded(detail.slug),
    }));
  }
  if (model) {
    parts.push(h('p', {
      className: 'model-note',
      textContent: `3D model at the booth: ${model.title}. Walk up to the plinth to see it turn.`,
    }));
  }
  section.replaceChildren(...parts);
  section.hidden = parts.length === 0;
}

// A larger view of one picture in a modal dialog (Escape or the button closes it).
function openPicture(item, company) {
  let dialog = $('picture-viewer');
  if (!dialog) {
    dialog = h('dialog', {
      id: 'picture-viewer',
      className: 'picture-viewer',
      onclick: (event) => { if (event.target === dialog) dialog.close(); },
    },
    h('button', {
      type: 'button',
      className: 'panel-close',
      'aria-label': 'Close the picture',
      textContent: '\u00d7',
      onclick: () => dialog.close(),
    }),
    h('figure', {}, h('img', {}), h('figcaption', {})));
    document.body.append(dialog);
  }
  const img = dialog.querySelector('img');
  img.src = item.url;
  img.alt = item.title;
  dialog.querySelector('figcaption').textContent = `${company} \u00b7 ${item.title}`;
  dialog.showModal();
}

function closePanel() {
  analytics.boothClosed();
  $('booth-panel').hidden = true;
  state.selected = null;
  recordBooth(null);
  for (const link of document.querySelectorAll('.exhibitor-link[aria-current]')) link.removeAttribute('aria-current');
}

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
  $('hall-canvas').focus();
  if (requestedBooth) focusBooth(requestedBooth);
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
  if (event.key === 'Escape' && $('picture-viewer')?.open) return;
  if (event.key === 'Escape' && !$('booth-panel').hidden) closePanel();
});
$('hall-canvas').addEventListener('pointerdown', () => $('hall-canvas').focus());

async function loadDirectory() {
  try {
    const exhibitors = await api('/api/v1/exhibitors');
    state.exhibitors = exhibitors;
    state.topics = new Map(exhibitors.filter((e) => e.topic_label).map((e) => [e.topic, e.topic_label]));
    renderDirectory();
  } catch (error) {
    $('directory-count').textContent = 'unavailable';
    console.error('directory', error);
  }
}


loadDirectory();
startViewer();
if (requestedBooth) showBooth(requestedBooth);
