// Pavilion exhibitor portal: talks to /api/v1/me/* with the booth's bearer token (kept in
// sessionStorage) through lib.js, shows each validation error next to its field, uploads with
// a progress bar that follows the upload, and submits the draft for review. The draft is
// versioned: the ETag of the loaded draft goes back as If-Match on save, and a 412 (someone
// else saved it meanwhile) shows the conflict instead of overwriting their changes.

import { $, api, h, request } from '/lib.js';
import { showInsights, showLeads } from '/portal-insights.js';

const TOKEN_KEY = 'pavilion.exhibitorToken';
const TEXT_FIELDS = ['name', 'tagline', 'founded', 'headquarters', 'website', 'email', 'colour', 'description'];
const state = { token: sessionStorage.getItem(TOKEN_KEY), me: null, profile: null, etag: null };
window.portal = state;

/** An API call as the signed-in booth; failures throw lib.js's ApiError (with field `errors`). */
const asBooth = (path, options = {}) => api(path, { ...options, token: state.token });

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
    state.me = await asBooth('/api/v1/me');
  } catch (error) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    throw error;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('sign-in').hidden = true;
  $('workspace').hidden = false;
  $('sign-out').hidden = false;
  $('booth-name').textContent = state.me.name;
  $('booth-slug').textContent = state.me.slug;
  $('booth-topic').textContent = state.me.topic.replace(/-/g, ' ');
  $('booth-tier').textContent = state.me.tier;
  $('preview-link').href = state.me.preview_url;
  await Promise.all([loadProfile(), loadMedia(), loadReview(), showInsights(token), showLeads(token)]);
  // Only now is the workspace filled: a visitor (or a test) acting on `signed-in` must not
  // type into fields that the draft is about to overwrite.
  document.body.dataset.state = 'signed-in';
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

// --- profile ---------------------------------------------------------------------------------

async function loadProfile() {
  const { data, headers } = await request('/api/v1/me/profile', { token: state.token });
  fillProfile(data, headers.get('etag'));
}

// Shows a draft and remembers its version (the ETag) for the next save.
function fillProfile(draft, etag) {
  state.profile = draft.profile;
  state.etag = etag ?? `"${draft.revision}"`;
  $('profile-conflict').hidden = true;
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
  const remove = () => {
    const products = readProducts();
    products.splice(index, 1);
    renderProducts(products);
  };
  const fields = [['name', 'Name', false], ['category', 'Category', false], ['summary', 'Summary', true]];
  return h('li', {},
    h('button', { type: 'button', className: 'remove', textContent: 'Remove', onclick: remove }),
    fields.map(([key, label, multiline]) => {
      const field = `products[${index}].${key}`;
      const id = `p-${index}-${key}`;
      return h('div', { className: 'field' },
        h('label', { htmlFor: id, textContent: label }),
        h(multiline ? 'textarea' : 'input', {
          id,
          dataset: { field, product: String(index), key },
          rows: multiline ? 3 : null,
          value: product[key] ?? '',
        }),
        h('p', { className: 'field-error', dataset: { errorFor: field } }));
    }));
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

// Saves the form over the version named by `etag` (the one loaded, unless the user chose to
// save over a newer one); a 412 means someone else saved first: nothing was written.
async function saveProfile(event, etag = state.etag) {
  event?.preventDefault();
  const form = $('profile-form');
  clearErrors(form);
  $('profile-conflict').hidden = true;
  $('profile-saved').textContent = 'Saving…';
  try {
    const { data, headers } = await request('/api/v1/me/profile', {
      method: 'PUT',
      token: state.token,
      json: readProfile(),
      headers: etag ? { 'if-match': etag } : {},
    });
    fillProfile(data, headers.get('etag'));
  } catch (error) {
    $('profile-saved').textContent = 'Not saved';
    if (error.status === 412) showConflict(error);
    else if (error.errors?.length) showFieldErrors(error.errors, 'profile');
    else errorSlot('profile').textContent = error.message;
  }
}

// The draft moved on since it was loaded: say so beside the save button and offer to load the
// latest version or, deliberately, to save these edits over it. The form is left as it is.
function showConflict(error) {
  const current = error.headers.get('etag') ?? (error.body?.current_revision !== undefined ? `"${error.body.current_revision}"` : null);
  state.conflictEtag = current;
  $('profile-overwrite').hidden = !current;
  $('profile-conflict').hidden = false;
  $('profile-conflict').scrollIntoView({ block: 'nearest' });
}

// --- media -------------------------------------------------------------------------------------

async function loadMedia() {
  renderMedia(await asBooth('/api/v1/me/media'));
}

// Media not yet published are served only with the booth's token: fetch them with it and
// show them from a blob URL.
function showPrivately(image, url) {
  fetch(url, { headers: { authorization: `Bearer ${state.token}` } })
    .then((reply) => (reply.ok ? reply.blob() : null))
    .then((blob) => { if (blob) image.src = URL.createObjectURL(blob); });
}

function renderMedia(items) {
  $('media-list').replaceChildren(...items.map((item) => {
    // Draft media are private until published: fetched with the booth's token.
    const image = item.kind === 'image' ? h('img', { alt: item.title || 'uploaded picture' }) : null;
    if (image) showPrivately(image, item.url);
    return h('li', { dataset: { sha256: item.sha256 } },
      image,
      h('span', { className: 'kind', textContent: `${item.kind} · ${(item.byte_size / 1024).toFixed(0)} KiB` }),
      h('a', {
        href: item.url,
        textContent: item.title || item.sha256.slice(0, 12),
        onclick: (event) => {
          event.preventDefault();
          fetch(item.url, { headers: { authorization: `Bearer ${state.token}` } })
            .then((reply) => (reply.ok ? reply.blob() : null))
            .then((blob) => { if (blob) window.open(URL.createObjectURL(blob), '_blank', 'noopener'); });
        },
      }),
      h('button', {
        type: 'button',
        textContent: 'Delete',
        onclick: async () => {
          await asBooth(`/api/v1/me/media/${item.sha256}`, { method: 'DELETE' });
          await loadMedia();
        },
      }));
  }));
}

// The raw file is the body; lib.js sends it through XMLHttpRequest to report upload progress.
function uploadFile(file, title, onUploadProgress) {
  return asBooth(`/api/v1/me/media?title=${encodeURIComponent(title)}`, {
    method: 'POST',
    body: file,
    contentType: 'application/octet-stream',
    onUploadProgress,
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
  showReview(await asBooth('/api/v1/me/review'));
}

// Submits the draft as loaded (its ETag as If-Match): a draft changed elsewhere since is not
// sent unseen.
async function submitForReview() {
  clearErrors($('workspace').querySelector('.review-box'));
  try {
    await asBooth('/api/v1/me/submission', { method: 'POST', headers: state.etag ? { 'if-match': state.etag } : {} });
    await loadReview();
  } catch (error) {
    if (error.status === 412) {
      errorSlot('submission').textContent = 'Not submitted: the draft was changed elsewhere (another tab or a colleague) since you loaded it. Load the latest draft, check it, then submit.';
      showConflict(error);
    } else if (error.errors?.length) showFieldErrors(error.errors, 'submission');
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
$('profile-reload').addEventListener('click', async () => {
  clearErrors($('profile-form'));
  try {
    await loadProfile();
  } catch (error) {
    errorSlot('profile').textContent = error.message;
  }
});
$('profile-overwrite').addEventListener('click', () => saveProfile(null, state.conflictEtag));
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
