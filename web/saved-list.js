// What the visitor's own lists (saved.js) look like on the hall page: the panel's save button,
// the "Saved booths" section of the directory (each a link to the booth and a remove button)
// and the marks on booths already opened, in the directory and on the 2D plans.

import { $, h } from '/lib.js';
import {
  SAVED_CAP, isSaved, markVisited, onListsChanged, saveBooth, savedBooths, unsaveBooth, visitedBooths,
} from '/saved.js';

/** The booth the panel shows, for the save button: `{ slug, name }` or null. */
let shown = null;

/** The panel now shows booth `slug` called `name`: remember the visit, set the save button. */
export function boothOpened(slug, name) {
  shown = { slug, name };
  markVisited(slug);
  showSaveButton();
}

export function boothClosed() {
  shown = null;
}

function showSaveButton() {
  const button = $('panel-save');
  if (!button || !shown) return;
  const saved = isSaved(shown.slug);
  button.setAttribute('aria-pressed', String(saved));
  button.textContent = saved ? '\u2605 Saved' : '\u2606 Save';
  button.title = saved ? 'Remove this booth from your saved booths' : 'Keep this booth in your saved booths (in this browser only)';
}

$('panel-save')?.addEventListener('click', () => {
  if (!shown) return;
  if (isSaved(shown.slug)) {
    unsaveBooth(shown.slug);
    say(`${shown.name} removed from your saved booths.`);
  } else if (saveBooth(shown.slug, shown.name)) {
    say(`${shown.name} saved. Your saved booths are listed in the directory.`);
  } else {
    say(`You have saved ${SAVED_CAP} booths, the most this list keeps: remove one first.`);
  }
});

function say(message) {
  const announcer = $('announcer');
  if (announcer) announcer.textContent = message;
}

/** Draws the "Saved booths" section from the stored list. */
function renderSaved() {
  const section = $('saved-booths');
  if (!section) return;
  const saved = savedBooths();
  section.hidden = saved.length === 0;
  $('saved-count').textContent = String(saved.length);
  $('saved-list').replaceChildren(...saved.map((entry) => h('li', {},
    h('a', { href: `#/booth/${entry.slug}`, className: 'saved-link', textContent: entry.name }),
    h('button', {
      type: 'button',
      className: 'saved-remove',
      'aria-label': `Remove ${entry.name} from saved booths`,
      title: 'Remove from saved booths',
      textContent: '\u00d7',
      onclick: () => {
        unsaveBooth(entry.slug);
        say(`${entry.name} removed from your saved booths.`);
        // The keyboard stays in the list, or goes to the search when the list is gone.
        ($('saved-list').querySelector('.saved-link') ?? $('search'))?.focus();
      },
    }))));
}

/**
 * Marks the booths already opened among the elements with a `data-slug` under `root` (the
 * directory's buttons get a tick and the words "visited" for screen readers; plan booths a class
 * and the words in their title).
 */
export function markVisitedIn(root) {
  if (!root) return;
  const visited = visitedBooths();
  for (const element of root.querySelectorAll('[data-slug]')) {
    const was = element.classList.contains('is-visited');
    const is = visited.has(element.dataset.slug);
    if (was === is) continue;
    element.classList.toggle('is-visited', is);
    if (element.classList.contains('exhibitor-link')) {
      if (is) element.append(h('span', { className: 'visited-mark', title: 'Visited' }, h('span', { 'aria-hidden': 'true', textContent: '\u2713' }), h('span', { className: 'visited-words', textContent: ' (visited)' })));
      else element.querySelector('.visited-mark')?.remove();
    }
    // A booth on the plans is named by its <title>: say it there too.
    const title = element.querySelector(':scope > title');
    if (title) {
      title.dataset.name ??= title.textContent;
      title.textContent = is ? `${title.dataset.name} (visited)` : title.dataset.name;
    }
  }
}

function refresh() {
  renderSaved();
  showSaveButton();
  for (const root of document.querySelectorAll('#directory-list, #plan-frame, #minimap-frame')) markVisitedIn(root);
}

onListsChanged(refresh);
refresh();
