// Shared helpers of the page scripts (app.js, portal.js, staff.js, api.js): element lookup,
// the one way to call the API (one error contract), and element builders that never parse
// markup, so untrusted text only ever becomes text nodes and nothing needs inline styles or
// handlers (the pages run under a strict Content-Security-Policy).

/** The element with this id, or null. */
export const $ = (id) => document.getElementById(id);

/**
 * What every failed API call throws. The server answers errors as `{"code", "message"}`,
 * sometimes with `errors` (field errors) or `problems` (layout rules); `body` keeps the whole
 * parsed answer and `headers` the response headers (a 412 `stale_version` carries the draft's
 * current `ETag`). `status` is 0 when no answer arrived at all.
 */
export class ApiError extends Error {
  constructor(status, code, message, body = null, headers = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
    this.headers = headers ?? new Headers();
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
  }
}

const UNREACHABLE = 'the server could not be reached; check the connection and try again';

/**
 * Where this page runs. `exported`: from a static export (`pavilion export`), marked by a
 * `<meta name="pavilion-export">` tag; its API documents are files with a `.json` suffix, and
 * what needs the server goes to `apiOrigin` (from `<meta name="pavilion-api-origin">`), or is
 * not available when the export names none.
 */
export const site = (() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? null;
  return { exported: meta('pavilion-export') === 'static', apiOrigin: meta('pavilion-api-origin') };
})();

/** What a page says when a feature needs the server and the export names none. */
export const SERVER_ABSENT = 'this needs the Pavilion server, and this copy of the hall is a static export without one';

// The API documents an export holds as files (`<path>.json`).
const EXPORTED_DOCUMENT = /^\/api\/v1\/(hall|exhibitors|exhibitors\/[a-z0-9-]+|programme)$/;

/**
 * The URL to call for an API path: the path itself on the server; in an export, the document's
 * file (a path already naming one stays), or the path at the API origin, or null when nothing
 * can answer it.
 */
export function apiUrl(path, method = 'GET') {
  if (!site.exported || !path.startsWith('/api/') || path.endsWith('.json')) return path;
  if (method === 'GET' && EXPORTED_DOCUMENT.test(path)) return `${path}.json`;
  return site.apiOrigin ? `${site.apiOrigin}${path}` : null;
}

/**
 * Calls the API and returns `{ data, status, headers }`: `data` is the parsed JSON answer
 * (null for an empty one), `headers` the response `Headers` (for ETag and the like; send it
 * back as `headers: { 'if-match': etag }` to save only over the version that was read).
 * Throws an `ApiError` for a refusal, a body that is not JSON, or no answer at all.
 *
 * Options: `method` (default GET), `token` (sent as a bearer token), `json` (a value sent as
 * JSON), `body` with `contentType` (a raw body such as a File, sent as it is; default type
 * application/octet-stream), `headers` (extra request headers), `onUploadProgress` (called
 * with the fraction sent so far; the request then goes through XMLHttpRequest, the only API
 * that reports upload progress).
 */
export async function request(path, options = {}) {
  const { method = 'GET', token, json, body, contentType, onUploadProgress } = options;
  const url = apiUrl(path, method);
  if (url === null) throw new ApiError(0, 'no_server', SERVER_ABSENT);
  const headers = { accept: 'application/json', ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(json);
  } else if (body !== undefined) {
    headers['content-type'] = contentType ?? 'application/octet-stream';
    payload = body;
  }
  const answer = onUploadProgress
    ? await sendWithProgress(method, url, headers, payload, onUploadProgress)
    : await sendWithFetch(method, url, headers, payload);
  return settle(path, answer);
}

/** `request` for callers that need only the parsed answer. */
export async function api(path, options) {
  return (await request(path, options)).data;
}

async function sendWithFetch(method, path, headers, body) {
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, 'unreachable', UNREACHABLE);
  }
  let text;
  try {
    text = await response.text();
  } catch {
    throw new ApiError(response.status, 'unreachable', `the answer for ${path} was cut off; try again`);
  }
  return { status: response.status, ok: response.ok, headers: response.headers, text };
}

function sendWithProgress(method, path, headers, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => resolve({
      status: xhr.status,
      ok: xhr.status >= 200 && xhr.status < 300,
      headers: parseHeaders(xhr.getAllResponseHeaders()),
      text: xhr.responseText,
    }));
    const interrupted = () => reject(new ApiError(0, 'unreachable', 'the upload was interrupted; check the connection and try again'));
    xhr.addEventListener('error', interrupted);
    xhr.addEventListener('abort', interrupted);
    xhr.addEventListener('timeout', interrupted);
    xhr.send(body ?? null);
  });
}

function parseHeaders(raw) {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

function settle(path, { status, ok, headers, text }) {
  let data = null;
  let parsed = true;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      parsed = false;
    }
  }
  if (!ok) {
    const code = parsed && typeof data?.code === 'string' ? data.code : `http_${status}`;
    const message = parsed && typeof data?.message === 'string' ? data.message : `${path} answered HTTP ${status}`;
    throw new ApiError(status, code, message, parsed ? data : null, headers);
  }
  if (!parsed) throw new ApiError(status, 'not_json', `the answer for ${path} is not JSON`);
  return { data, status, headers };
}

// ---------- element builders ----------

// Set as attributes even though the element has a property of that name (a read-only one).
const ATTRIBUTE_ONLY = new Set(['list', 'form', 'role']);

/**
 * Builds an HTML element: `h('button', { type: 'button', className: 'x', onclick: fn }, 'text')`.
 *
 * Attributes: `on<event>` functions become listeners; `dataset` and `style` take objects (styles
 * go through the CSSOM, which a CSP allows; a style string is refused); names with a dash
 * (`aria-label`, `data-slug`) are attributes; other names the element has are properties
 * (`textContent`, `hidden`, `htmlFor`), the rest attributes. null, undefined and false leave a
 * name unset. Children: nodes, or strings and numbers as text; null, undefined and false are
 * skipped. Nothing is ever parsed as markup.
 */
export function h(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false || setShared(node, key, value)) continue;
    if (key === 'innerHTML' || key === 'outerHTML') {
      throw new Error(`h() never sets ${key}`);
    } else if (key.includes('-') || ATTRIBUTE_ONLY.has(key) || !(key in node)) {
      node.setAttribute(key, value === true ? '' : String(value));
    } else {
      node[key] = value;
    }
  }
  appendChildren(node, children);
  return node;
}

// The names `h` and `svg` treat alike: `on<event>` listeners, `dataset` and `style`. True when
// `key` was one of them (and is now set).
function setShared(node, key, value) {
  if (key.startsWith('on') && typeof value === 'function') {
    node.addEventListener(key.slice(2).toLowerCase(), value);
  } else if (key === 'dataset') {
    Object.assign(node.dataset, value);
  } else if (key === 'style') {
    setStyle(node, value);
  } else {
    return false;
  }
  return true;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Builds an SVG element; every name is an attribute except `on<event>` listeners, `dataset`
 * and `style` (as for `h`). Children as for `h`.
 */
export function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false || setShared(node, key, value)) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  appendChildren(node, children);
  return node;
}

function setStyle(node, styles) {
  if (typeof styles !== 'object') throw new Error('style takes an object: inline style strings break the Content-Security-Policy');
  for (const [property, value] of Object.entries(styles)) {
    if (property.includes('-')) node.style.setProperty(property, value);
    else node.style[property] = value;
  }
}

function appendChildren(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}
