// The booth panel's media section: the booth's video (an HTML video player, never started by
// itself; the server answers its Range requests), the gallery (thumbnails with arrow-key
// navigation, a larger view with previous and next), the 3D product model on a turntable
// (model-viewer.js, fetched only when a booth has a model and its canvas comes into view) and
// the brochure link with its type and size. Reports video plays and brochure downloads through
// analytics.js. Built with DOM calls only.

import { $, h } from '/lib.js';
import * as analytics from '/analytics.js';

// Media URLs come from the server's content-addressed store; anything else is not shown.
const isMediaUrl = (url) => typeof url === 'string' && /^\/media\/[0-9a-f]{64}\.[a-z0-9]{2,4}$/.test(url);

/** What is on show now: the model viewer and the observer waiting to start it. */
const live = { model: null, observer: null, abort: null, gallery: [], company: '', current: 0 };

export function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const TYPE_NAMES = { 'application/pdf': 'PDF', 'video/mp4': 'MP4 video', 'video/webm': 'WebM video' };

/** Renders the media of `detail` (an ExhibitorDetail) into the panel, replacing the last booth's. */
export function renderBoothMedia(detail) {
  stopBoothMedia();
  let section = $('panel-media');
  if (!section) {
    section = h('section', { id: 'panel-media', className: 'booth-media', 'aria-label': 'Video, pictures, model and brochure' });
    $('booth-panel').querySelector('.contact').before(section);
  }
  const media = (detail.media ?? []).filter((item) => isMediaUrl(item.url));
  const images = media.filter((item) => item.kind === 'image');
  const parts = [
    ...media.filter((item) => item.kind === 'video').map((item) => videoPart(detail, item, images)),
    images.length ? galleryPart(detail, images) : null,
    ...media.filter((item) => item.kind === 'model').slice(0, 1).map((item) => modelPart(detail, item)),
    ...media.filter((item) => item.kind === 'brochure').map((item) => brochurePart(detail, item)),
  ].filter(Boolean);
  section.replaceChildren(...parts);
  section.hidden = parts.length === 0;
  const canvas = section.querySelector('.model-canvas');
  if (canvas) startModelWhenSeen(canvas);
}

/** Pauses the video and frees the model viewer (the panel closed or shows another booth). */
export function stopBoothMedia() {
  for (const video of document.querySelectorAll('#panel-media video')) video.pause();
  live.observer?.disconnect();
  live.abort?.abort();
  live.model?.dispose();
  Object.assign(live, { model: null, observer: null, abort: null });
  if ($('picture-viewer')?.open) $('picture-viewer').close();
}

// ---- Video ----

function videoPart(detail, item, images) {
  // A picture of the same product, if there is one, stands in until the video plays.
  const poster = item.product ? images.find((image) => image.product === item.product)?.url : null;
  const title = item.title || `${detail.name} video`;
  return h('figure', { className: 'booth-video-frame' },
    h('video', {
      className: 'booth-video',
      controls: true,
      preload: 'metadata',
      playsinline: true,
      poster,
      src: item.url,
      'aria-label': title,
      onplay: () => analytics.mediaPlayed(detail.slug, item.url),
    }, h('a', { href: item.url, textContent: `Download the video (${TYPE_NAMES[item.content_type] ?? 'video'})` })),
    h('figcaption', { textContent: `${title} \u00b7 ${TYPE_NAMES[item.content_type] ?? 'video'}, ${formatSize(item.byte_size)}` }));
}

// ---- Gallery: thumbnails (one tab stop, arrow keys between them) and a larger view ----

function galleryPart(detail, images) {
  Object.assign(live, { gallery: images, company: detail.name, current: 0 });
  const count = images.length;
  const thumbs = images.map((item, index) => h('li', {},
    h('button', {
      type: 'button',
      className: 'thumb',
      tabIndex: index === 0 ? 0 : -1,
      dataset: { index: String(index) },
      'aria-label': `Show picture ${index + 1} of ${count} larger: ${item.title}`,
      onclick: () => openPicture(index),
    }, h('img', {
      src: item.url,
      alt: item.title,
      loading: 'lazy',
      width: item.width && item.height ? item.width : null,
      height: item.width && item.height ? item.height : null,
    }))));
  const list = h('ul', { className: 'gallery', 'aria-labelledby': 'gallery-title', 'aria-describedby': 'gallery-help', onkeydown: moveAmongThumbs }, thumbs);
  return h('div', { className: 'media-part' },
    h('h3', { id: 'gallery-title', textContent: `Gallery (${count})` }),
    h('p', { id: 'gallery-help', className: 'visually-hidden', textContent: 'Arrow keys move between the pictures; Enter shows one larger.' }),
    list);
}

function moveAmongThumbs(event) {
  const buttons = [...event.currentTarget.querySelectorAll('.thumb')];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  const next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  focusThumb(Math.max(0, Math.min(buttons.length - 1, next)));
}

function focusThumb(index) {
  const buttons = [...document.querySelectorAll('#panel-media .thumb')];
  buttons.forEach((button, i) => { button.tabIndex = i === index ? 0 : -1; });
  buttons[index]?.focus();
}

function pictureViewer() {
  let dialog = $('picture-viewer');
  if (dialog) return dialog;
  const step = (by) => () => showPicture(live.current + by);
  dialog = h('dialog', {
    id: 'picture-viewer',
    className: 'picture-viewer',
    'aria-labelledby': 'picture-caption',
    onclick: (event) => { if (event.target === dialog) dialog.close(); },
    onkeydown: (event) => {
      const by = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (by === undefined) return;
      event.preventDefault();
      showPicture(live.current + by);
    },
    onclose: () => focusThumb(live.current),
  },
  h('figure', {},
    h('img', {}),
    h('figcaption', { id: 'picture-caption' })),
  h('div', { className: 'picture-controls' },
    h('button', { type: 'button', className: 'picture-step', 'aria-label': 'Previous picture', textContent: '\u2190', onclick: step(-1) }),
    h('span', { className: 'picture-count', 'aria-live': 'polite' }),
    h('button', { type: 'button', className: 'picture-step', 'aria-label': 'Next picture', textContent: '\u2192', onclick: step(1) })),
  h('button', {
    type: 'button',
    className: 'panel-close',
    'aria-label': 'Close the picture',
    textContent: '\u00d7',
    onclick: () => dialog.close(),
  }));
  document.body.append(dialog);
  return dialog;
}

/** Shows picture `index` of the gallery (wrapping round) in the larger view. */
function showPicture(index) {
  const count = live.gallery.length;
  if (!count) return;
  live.current = ((index % count) + count) % count;
  const item = live.gallery[live.current];
  const dialog = pictureViewer();
  const img = dialog.querySelector('img');
  img.src = item.url;
  img.alt = item.title;
  dialog.querySelector('figcaption').textContent = `${live.company} \u00b7 ${item.title}`;
  dialog.querySelector('.picture-count').textContent = `${live.current + 1} of ${count}`;
  for (const button of dialog.querySelectorAll('.picture-step')) button.hidden = count < 2;
}

function openPicture(index) {
  showPicture(index);
  const dialog = pictureViewer();
  if (!dialog.open) dialog.showModal();
}

// ---- The 3D product model ----

function modelPart(detail, item) {
  const name = item.product || item.title || 'product';
  return h('div', { className: 'media-part model-part' },
    h('h3', { textContent: '3D model' }),
    h('div', { className: 'model-stage' },
      h('canvas', {
        className: 'model-canvas',
        tabIndex: 0,
        role: 'application',
        'aria-roledescription': '3D model viewer',
        'aria-label': `${name}, a 3D model you can turn`,
        'aria-describedby': 'model-help',
        dataset: { url: item.url },
      }),
      h('p', { className: 'model-status', role: 'status', textContent: 'The model loads when you scroll to it.' })),
    h('p', { id: 'model-help', className: 'model-note' },
      `${item.title}. `,
      h('span', { className: 'model-how', textContent: 'Drag or use the arrow keys to turn it; the wheel, a pinch or + and \u2212 zoom, Home resets. ' }),
      'It also stands on the plinth at the booth.'));
}

/** Starts the model viewer once its canvas is on screen (the module is fetched then too). */
function startModelWhenSeen(canvas) {
  live.observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    live.observer.disconnect();
    live.observer = null;
    startModel(canvas);
  });
  live.observer.observe(canvas);
}

async function startModel(canvas) {
  const status = canvas.parentElement.querySelector('.model-status');
  status.textContent = 'Loading the 3D model\u2026';
  const abort = new AbortController();
  live.abort = abort;
  try {
    const { showModel } = await import('/model-viewer.js');
    const viewer = await showModel(canvas, canvas.dataset.url, { signal: abort.signal });
    if (abort.signal.aborted) {
      viewer.dispose();
      return;
    }
    live.model = viewer;
    status.textContent = '';
    status.hidden = true;
  } catch (error) {
    if (abort.signal.aborted) return;
    console.error('model', error);
    canvas.hidden = true;
    canvas.closest('.model-part')?.querySelector('.model-how')?.remove();
    status.hidden = false;
    status.classList.add('model-failed');
    status.textContent = error?.name === 'ModelError' || error?.constructor?.name === 'ModelError'
      ? error.message : 'The 3D model could not be shown here; you can still see it at the booth in the 3D hall.';
  }
}

// ---- Brochure ----

function brochurePart(detail, item) {
  const type = TYPE_NAMES[item.content_type] ?? 'PDF';
  const size = formatSize(item.byte_size);
  return h('div', { className: 'media-part' },
    h('h3', { textContent: 'Brochure' }),
    h('a', {
      className: 'brochure-link',
      href: item.url,
      download: `${detail.slug}-brochure.pdf`,
      type: item.content_type,
      textContent: `Download the brochure (${type}${size ? `, ${size}` : ''})`,
      onclick: () => analytics.brochureDownloaded(detail.slug),
    }),
    item.title ? h('p', { className: 'brochure-title', textContent: item.title }) : null);
}
