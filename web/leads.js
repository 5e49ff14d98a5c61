// The lead form of the visitor page's booth panel: a visitor leaves a name, an e-mail address
// and a message for the open booth after ticking an explicit, unticked-by-default consent box
// whose wording (what is sent, to whom, for how long) comes from the server's lead policy.
// Nothing is sent without the tick. The form follows the panel: it resets whenever another
// booth opens (the panel's data-slug). In a static export that names no API origin the form
// gives way to a note saying why it is not there.

import { $, SERVER_ABSENT, api, apiUrl, h } from '/lib.js';

const form = $('lead-form');
let policy = null;

function field(id, label, control) {
  return [h('label', { htmlFor: id, textContent: label }), control];
}

function build() {
  form.replaceChildren(
    h('h3', { textContent: 'Leave a message for this booth' }),
    ...field('lead-name', 'Your name', h('input', { id: 'lead-name', type: 'text', maxLength: 100, autocomplete: 'name', required: true })),
    ...field('lead-email', 'Your e-mail address', h('input', { id: 'lead-email', type: 'email', maxLength: 254, autocomplete: 'email', required: true })),
    ...field('lead-message', 'Message', h('textarea', { id: 'lead-message', rows: 4, maxLength: 2000, required: true })),
    h('label', { className: 'consent' },
      h('input', { id: 'lead-consent', type: 'checkbox' }),
      h('span', { id: 'lead-consent-text', textContent: 'Loading what happens to your message…' })),
    h('button', { type: 'submit', textContent: 'Send to the exhibitor' }),
    h('p', { id: 'lead-error', role: 'alert' }),
    h('p', { id: 'lead-status', role: 'status' }),
  );
}

async function showPolicy() {
  if (!policy) {
    try {
      policy = await api('/api/v1/leads/policy');
    } catch {
      return;
    }
  }
  $('lead-consent-text').textContent = policy.consent_statement;
}

function reset() {
  form.reset();
  $('lead-error').textContent = '';
  $('lead-status').textContent = '';
  form.querySelector('button').disabled = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const slug = $('booth-panel').dataset.slug;
  $('lead-error').textContent = '';
  $('lead-status').textContent = '';
  if (!$('lead-consent').checked) {
    $('lead-error').textContent = 'Tick the box to agree to what happens to your message; nothing was sent.';
    $('lead-consent').focus();
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const receipt = await api(`/api/v1/booths/${encodeURIComponent(slug)}/leads`, {
      method: 'POST',
      json: {
        name: $('lead-name').value,
        email: $('lead-email').value,
        message: $('lead-message').value,
        consent: true,
      },
    });
    const email = $('lead-email').value.trim();
    reset();
    $('lead-status').textContent = `Sent. ${$('panel-name').textContent} can answer you at ${email}; your message is kept for ${receipt.retention_days} days at most.`;
  } catch (error) {
    button.disabled = false;
    $('lead-error').textContent = error.errors.length
      ? error.errors.map((e) => e.message).join('; ')
      : error.message;
  }
});

if (apiUrl('/api/v1/leads/policy') === null) {
  form.replaceChildren(
    h('h3', { textContent: 'Leave a message for this booth' }),
    h('p', { className: 'lead-unavailable', textContent: `Messages to exhibitors are not available here: ${SERVER_ABSENT}. The exhibitor's website and contacts are above.` }),
  );
} else {
  build();
}
// The policy is fetched when a booth first opens, not with the page.
let shownFor = null;
new MutationObserver(() => {
  if ($('booth-panel').dataset.slug === shownFor) return;
  shownFor = $('booth-panel').dataset.slug;
  if (!form.querySelector('button')) return;
  reset();
  showPolicy();
}).observe($('booth-panel'), { attributes: true, attributeFilter: ['data-slug'] });
