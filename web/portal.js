// Pavilion exhibitor portal: talks to /api/v1/me/* with the booth's bearer token (kept in
// sessionStorage), shows each validation error next to its field, uploads with XMLHttpRequest
// so the progress bar can follow the upload, and submits the draft for review.

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'pavilion.exhibitorToken';
const TEXT_FIELDS = ['name', 'tagline', 'founded', 'headquarters', 'website', 'email', 'colour', 'description'];
const state = { token: sessionStorage.getItem(TOKEN_KEY), me: null, profile: null };
window.portal = state;

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `the server answered ${status}`);
    this.status = status;
    this.code = body?.code ?? 'unknown';
    this.errors = body?.errors ?? [];
  }
}

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${state.token}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

// --- field errors ------------------------------------------------------------------------

function errorSlot(field) {
  return document.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
}

function clearErrors(scope = document) {
  for (const slot of scope.querySelectorAll('[data-error-for]')) slot.textContent = '';
  for (const input of scope.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

// Puts each API field error beside its input; anything without a place goes to `fallback`.
function showFieldErrors(errors, fallback) {
  const unplaced = [];
  for (const { field, message } of errors) {
    const slot = errorSlot(field);
    if (slot && !['slug', 'topic', 'tier'].includes(field)) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${message}` : message;
      const input = document.querySelector(`[data-field="${CSS.escape(field)}"]`);
      if (input) input.setAttribute('aria-invalid', 'true');
    } else {
      unplaced.push(`${field}: ${message}`);
    }
  }
  if (unplaced.length) errorSlot(fallback).textContent = unplaced.join('; ');
  document.querySelector('[aria-invalid="true"]')?.focus();
}

// --- sign in ---------------------------------------------------------------------------------

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api('GET', '/api/v1/me');
  } catch (error) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    throw error;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  document.body.dataset.state = 'signed-in';
  $('sign-in').hidden = true;
  $('workspace').hidden = false;
  $('sign-out').hidden = false;
  $('booth-name').textContent = state.me.name;
  $('booth-slug').textContent = state.me.slug;
  $('booth-topic').textContent = state.me.topic.replace(/-/g, ' ');
  $('booth-tier').textContent = state.me.tier;
  $('preview-link').href = state.me.preview_url;
  await Promise.all([loadProfile(), loadMedia(), loadReview()]);
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

// --- profile ---------------------------------------------------------------------------------

async function loadProfile() {
  const draft = await api('GET', '/api/v1/me/profile');
  fillProfile(draft);
}

function fillProfile(draft) {
  state.profile = draft.profile;
  for (const field of TEXT_FIELDS) $(`f-${field}`).value = draft.profile[field] ?? '';
  renderProducts(draft.profile.products);
  $('profile-saved').textContent = draft.updated_at ? `Draft saved ${draft.updated_at}` : 'No changes yet: this is your approved profile';
}

function renderProducts(products) {
  const list = $('products');
  list.replaceChildren();
  products.forEach((product, index) => list.append(productItem(product, index)));
}

function productItem(product, index) {
  const item = document.createElement('li');
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'remove';
  remove.textContent = 'Remove';
  remove.addEventListener('click', () => {
    const products = readProducts();
    products.splice(index, 1);
    renderProducts(products);
  });
  item.append(remove);
  for (const [key, label, multiline] of [['name', 'Name', false], ['category', 'Category', false], ['summary', 'Summary', true]]) {
    const field = `products[${index}].${key}`;
    const id = `p-${index}-${key}`;
    const wrap = document.createElement('div');
    wrap.className = 'field';
    const caption = document.createElement('label');
    caption.htmlFor = id;
    caption.textContent = label;
    const input = document.createElement(multiline ? 'textarea' : 'input');
    input.id = id;
    input.dataset.field = field;
    input.dataset.product = String(index);
    input.dataset.key = key;
    if (multiline) input.rows = 3;
    input.value = product[key] ?? '';
    const error = document.createElement('p');
    error.className = 'field-error';
    error.dataset.errorFor = field;
    wrap.append(caption, input, error);
    item.append(wrap);
  }
  return item;
}

function readProducts() {
  const products = [];
  for (const input of document.querySelectorAll('#products [data-product]')) {
    const index = Number(input.dataset.product);
    products[index] ??= { name: '', category: '', summary: '' };
    products[index][input.dataset.key] = input.value;
  }
  return products.filter(Boolean);
}

function readProfile() {
  const profile = { ...state.profile };
  for (const field of TEXT_FIELDS) profile[field] = $(`f-${field}`).value;
  profile.founded = Number.parseInt(profile.founded, 10);
  if (Number.isNaN(profile.founded)) profile.founded = 0;
  profile.products = readProducts();
  return profile;
}

async function saveProfile(event) {
  event.preventDefault();
  const form = $('profile-form');
  clearErrors(form);
  $('profile-saved').textContent = 'Saving…';
  try {
    fillProfile(await api('PUT', '/api/v1/me/profile', readProfile()));
  } catch (error) {
    $('profile-saved').textContent = 'Not saved';
    if (error.errors?.length) showFieldErrors(error.errors, 'profile');
    else errorSlot('profile').textContent = error.message;
  }
}

// --- media -------------------------------------------------------------------------------------

async function loadMedia() {
  renderMedia(await api('GET', '/api/v1/me/media'));
}

// Media not yet published are served only with the booth's token: fetch them with it and
// show them from a blob URL.
function showPrivately(image, url) {
  fetch(url, { headers: { authorization: `Bearer ${state.token}` } })
    .then((reply) => (reply.ok ? reply.blob() : null))
    .then((blob) => { if (blob) image.src = URL.createObjectURL(blob); });
}

function renderMedia(items) {
  const list = $('media-list');
  list.replaceChildren();
  for (const item of items) {
    const entry = document.createElement('li');
    entry.dataset.sha256 = item.sha256;
    if (item.kind === 'image') {
      const image = document.createElement('img');
      image.alt = item.title || 'uploaded picture';
      showPrivately(image, item.url);
      entry.append(image);
    }
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = `${item.kind} · ${(item.byte_size / 1024).toFixed(0)} KiB`;
    const title = document.createElement('a');
    title.href = item.url;
    title.addEventListener('click', (event) => {
      event.preventDefault();
      fetch(item.url, { headers: { authorization: `Bearer ${state.token}` } })
        .then((reply) => (reply.ok ? reply.blob() : null))
        .then((blob) => { if (blob) window.open(URL.createObjectURL(blob), '_blank', 'noopener'); });
    });
    title.textContent = item.title || item.sha256.slice(0, 12);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Delete';
    remove.addEventListener('click', async () => {
      await api('DELETE', `/api/v1/me/media/${item.sha256}`);
      await loadMedia();
    });
    entry.append(kind, title, remove);
    list.append(entry);
  }
}

// XMLHttpRequest rather than fetch: only it reports upload progress.
function uploadFile(file, title, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/v1/me/media?title=${encodeURIComponent(title)}`);
    request.setRequestHeader('authorization', `Bearer ${state.token}`);
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (request.status >= 200 && request.status < 300) resolve(body);
      else reject(new ApiError(request.status, body));
    });
    request.addEventListener('error', () => reject(new ApiError(0, { message: 'the upload was interrupted; check the connection and try again' })));
    request.send(file);
  });
}

async function upload(event) {
  event.preventDefault();
  const form = $('upload-form');
  clearErrors(form);
  const file = $('upload-file').files[0];
  if (!file) {
    errorSlot('file').textContent = 'choose a file first';
    return;
  }
  const progress = $('upload-progress');
  const button = form.querySelector('button[type="submit"]');
  progress.hidden = false;
  progress.value = 0;
  button.disabled = true;
  $('upload-percent').textContent = '0 %';
  try {
    const item = await uploadFile(file, $('upload-title').value, (fraction) => {
      progress.value = Math.round(fraction * 100);
      $('upload-percent').textContent = `${progress.value} %`;
    });
    progress.value = 100;
    $('upload-percent').textContent = `Uploaded ${item.title || file.name}`;
    form.reset();
    await loadMedia();
  } catch (error) {
    $('upload-percent').textContent = 'Upload refused';
    if (error.errors?.length) showFieldErrors(error.errors, 'file');
    else errorSlot('file').textContent = error.message;
  } finally {
    button.disabled = false;
  }
}

// --- review ------------------------------------------------------------------------------------

const STATUS_TEXT = {
  none: 'not submitted',
  pending: 'waiting for review',
  approved: 'approved: visible after the next publish',
  rejected: 'rejected',
  superseded: 'superseded',
};

function showReview(review) {
  const status = $('review-status');
  status.dataset.status = review.status;
  status.textContent = STATUS_TEXT[review.status] ?? review.status;
  $('review-reason').hidden = !review.reason;
  $('review-reason').textContent = review.reason ? `Reason: ${review.reason}` : '';
}

async function loadReview() {
  showReview(await api('GET', '/api/v1/me/review'));
}

async function submitForReview() {
  clearErrors($('workspace').querySelector('.review-box'));
  try {
    await api('POST', '/api/v1/me/submission');
    await loadReview();
  } catch (error) {
    if (error.errors?.length) showFieldErrors(error.errors, 'submission');
    else errorSlot('submission').textContent = error.message;
  }
}

// --- wiring --------------------------------------------------------------------------------------

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors($('sign-in-form'));
  const token = $('token').value.trim();
  if (!token) {
    errorSlot('token').textContent = 'paste your API token';
    return;
  }
  try {
    await signIn(token);
  } catch (error) {
    $('token').setAttribute('aria-invalid', 'true');
    errorSlot('token').textContent = error.status === 401 ? 'this token is unknown or has been revoked' : error.message;
  }
});
$('sign-out').addEventListener('click', signOut);
$('profile-form').addEventListener('submit', saveProfile);
$('add-product').addEventListener('click', () => {
  const products = readProducts();
  products.push({ name: '', category: '', summary: '' });
  renderProducts(products);
});
$('upload-form').addEventListener('submit', upload);
$('submit-review').addEventListener('click', submitForReview);
$('preview-show').addEventListener('click', () => {
  $('preview-frame').src = state.me.preview_url;
  $('preview-frame').hidden = false;
});

if (state.token) {
  signIn(state.token).catch(() => { document.body.dataset.state = 'signed-out'; });
}
