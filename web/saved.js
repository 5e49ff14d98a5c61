// The visitor's own lists, kept in this browser only (localStorage) and never sent anywhere:
// the booths they have opened ("visited", the most recent VISITED_CAP) and the booths they
// starred ("saved", at most SAVED_CAP, newest first). Other tabs of the page see changes through
// the `storage` event; listeners registered with `onListsChanged` hear about both.

const VISITED_KEY = 'pavilion.visited';
const SAVED_KEY = 'pavilion.saved';
/** How many opened booths are remembered; the oldest are forgotten first. */
export const VISITED_CAP = 500;
/** How many booths the saved list holds. */
export const SAVED_CAP = 50;

const SLUG = /^[a-z0-9-]{3,48}$/;
const listeners = new Set();

function read(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage refused (private mode, quota): the lists last as long as the page.
    memory.set(key, value);
  }
  for (const listener of listeners) listener();
}

// What could not be stored, so the page still behaves while it is open.
const memory = new Map();
const current = (key) => memory.get(key) ?? read(key);

/** The slugs of the booths opened in this browser, as a Set. */
export function visitedBooths() {
  return new Set(current(VISITED_KEY).filter((slug) => typeof slug === 'string' && SLUG.test(slug)));
}

/** Remembers that the booth `slug` was opened (moved to the newest end of the list). */
export function markVisited(slug) {
  if (!SLUG.test(slug)) return;
  const stored = current(VISITED_KEY);
  if (stored.at(-1) === slug) return;
  const list = stored.filter((each) => each !== slug);
  list.push(slug);
  write(VISITED_KEY, list.slice(-VISITED_CAP));
}

/** The saved booths, newest first: `[{ slug, name }]`. */
export function savedBooths() {
  return current(SAVED_KEY)
    .filter((entry) => entry && typeof entry.slug === 'string' && SLUG.test(entry.slug))
    .map((entry) => ({ slug: entry.slug, name: typeof entry.name === 'string' ? entry.name.slice(0, 80) : entry.slug }));
}

export const isSaved = (slug) => savedBooths().some((entry) => entry.slug === slug);

/**
 * Saves the booth (`name` is what the list shows). Returns false when the list is full, so the
 * page can say so instead of silently dropping an older booth.
 */
export function saveBooth(slug, name) {
  if (!SLUG.test(slug)) return false;
  const list = savedBooths();
  if (list.some((entry) => entry.slug === slug)) return true;
  if (list.length >= SAVED_CAP) return false;
  write(SAVED_KEY, [{ slug, name: String(name ?? slug).slice(0, 80) }, ...list]);
  return true;
}

export function unsaveBooth(slug) {
  write(SAVED_KEY, savedBooths().filter((entry) => entry.slug !== slug));
}

/** Calls `listener()` whenever either list changes, here or in another tab. */
export function onListsChanged(listener) {
  listeners.add(listener);
}

window.addEventListener('storage', (event) => {
  if (event.key !== VISITED_KEY && event.key !== SAVED_KEY && event.key !== null) return;
  memory.clear();
  for (const listener of listeners) listener();
});
