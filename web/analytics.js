// First-party visitor analytics of the hall page: counts booth visits, the time a booth stays
// open (while the page is visible), video plays, brochure downloads and model views, and sends
// them to the server (POST /api/v1/events) in batches every ten seconds and when the page is
// hidden or left. Nothing identifies the visitor: no cookie, no storage, no id; the server
// keeps counts per booth and day only. A browser set to "do not track" or Global Privacy
// Control sends nothing at all, and neither does a static export that names no API origin.

import { apiUrl } from '/lib.js';

const ENDPOINT = apiUrl('/api/v1/events', 'POST');
const FLUSH_EVERY_MS = 10_000;
// The server takes at most 100 events per batch.
const MAX_BATCH = 100;

export const tracking = ENDPOINT !== null && !(navigator.doNotTrack === '1' || window.doNotTrack === '1'
  || navigator.globalPrivacyControl === true);

const queue = [];
// The open booth: its slug, when the current visible stretch began (null while hidden), and
// what was already counted during this opening (a video replayed counts once).
let open = null;

function add(booth, kind, seconds) {
  if (!tracking || !booth) return;
  queue.push(seconds === undefined ? { booth, kind } : { booth, kind, seconds });
  if (queue.length >= MAX_BATCH) flush();
}

/** Sends what is queued; `keepalive` lets the request outlive the page when it is left. */
export function flush() {
  if (!queue.length) return;
  const events = queue.splice(0, MAX_BATCH);
  fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
    keepalive: true,
    credentials: 'omit',
  }).catch(() => {});
  if (queue.length) flush();
}

/** Ends the current visible stretch of the open booth, counting its seconds. */
function pause() {
  if (!open || open.since === null) return;
  const seconds = (performance.now() - open.since) / 1000;
  open.since = null;
  if (seconds >= 1) add(open.slug, 'dwell', Math.round(seconds * 10) / 10);
}

/** A booth's panel was shown: a visit (and a model view when the booth shows a 3D model). */
export function boothShown(slug, detail) {
  if (open?.slug === slug) return;
  boothClosed();
  open = { slug, since: document.hidden ? null : performance.now(), counted: new Set() };
  add(slug, 'visit');
  if ((detail?.media ?? []).some((item) => item.kind === 'model')) add(slug, 'model_view');
}

/** The booth's panel was closed. */
export function boothClosed() {
  pause();
  open = null;
}

function once(slug, kind, key) {
  const mark = `${kind} ${key}`;
  if (open?.slug === slug) {
    if (open.counted.has(mark)) return;
    open.counted.add(mark);
  }
  add(slug, kind);
}

/** A video of the booth started playing (counted once per video and opening). */
export const mediaPlayed = (slug, url) => once(slug, 'media_play', url);

/** The booth's brochure was opened or downloaded. */
export const brochureDownloaded = (slug) => once(slug, 'brochure_download', '');

if (tracking) {
  setInterval(flush, FLUSH_EVERY_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      pause();
      flush();
    } else if (open) {
      open.since = performance.now();
    }
  });
  window.addEventListener('pagehide', () => {
    pause();
    flush();
  });
}
