// Browser test of the exhibitor portal against the real server: sign in with a token (a wrong
// one is refused beside the field), a validation error appears next to its field, an image
// uploads with the progress bar, a hostile file is refused beside the file field, the draft is
// submitted and the review status shows it waiting. A save over a draft that another client
// changed after it was loaded shows the conflict (412) and overwrites nothing; the latest draft
// then loads on request. Visitor events posted for the booth show as totals and a daily chart;
// visitors' messages are listed, download as CSV (formulas defused) and are deleted on request.
// Also checks the API reference page renders.
// Both pages run under the Content-Security-Policy of support.mjs, and nothing may break it.
//
// Env: PAVILION_URL (required), PAVILION_EXHIBITOR_TOKEN (required),
//      PAVILION_ARTIFACTS (where screenshots go; default ./e2e-output).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
const token = process.env.PAVILION_EXHIBITOR_TOKEN;
if (!base || !token) throw new Error('set PAVILION_URL and PAVILION_EXHIBITOR_TOKEN');
const artifacts = artifactsDir();

const browser = await launchChromium();

try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await enforceContentSecurityPolicy(context);
  const page = await context.newPage();
  const cspViolations = watchContentSecurityPolicy(page);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const errorText = (field) => page.locator(`[data-error-for="${field}"]`).first().textContent();

  // 1. A wrong token is refused beside the token field.
  await page.goto(new URL('/portal.html', base).href);
  await page.fill('#token', `pex_${'0'.repeat(64)}`);
  await page.click('#sign-in-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('[data-error-for="token"]').textContent.length > 0);
  check((await errorText('token')).includes('unknown'), `a wrong token is refused: "${await errorText('token')}"`);

  // 1b. Visitors were at the booth today (as the hall page reports them). Other tests may have
  // visited it too: the figures are compared with what the API said before.
  const booth = (await (await fetch(new URL('/api/v1/me', base), { headers: { authorization: `Bearer ${token}` } })).json()).slug;
  const stats = async () => (await fetch(new URL('/api/v1/me/stats', base), { headers: { authorization: `Bearer ${token}` } })).json();
  const before = (await stats()).totals;
  const events = [
    ...Array.from({ length: 7 }, () => ({ booth, kind: 'visit' })),
    { booth, kind: 'dwell', seconds: 95 }, { booth, kind: 'dwell', seconds: 130 },
    { booth, kind: 'media_play' }, { booth, kind: 'brochure_download' }, { booth, kind: 'brochure_download' },
  ];
  const posted = await fetch(new URL('/api/v1/events', base), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }),
  });
  check(posted.status === 202, `the visitor events are accepted (HTTP ${posted.status})`);
  const counted = await stats();
  check(counted.totals.visits === before.visits + 7 && counted.totals.dwell_seconds === before.dwell_seconds + 225,
    `the booth's figures grew by the events: ${JSON.stringify(before)} -> ${JSON.stringify(counted.totals)}`);

  // 1c. Two visitors left messages, one of them hoping to plant a spreadsheet formula.
  for (const lead of [
    { name: 'Grace Hopper', email: 'grace@example.org', message: 'Do your probes speak IPv6?', consent: true },
    { name: '=HYPERLINK("http://evil.example","prize")', email: 'mallory@example.org', message: 'Claim it, "now"', consent: true },
  ]) {
    const left = await fetch(new URL(`/api/v1/booths/${booth}/leads`, base), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(lead),
    });
    check(left.status === 201, `a visitor's message is stored (HTTP ${left.status})`);
  }

  // 2. The real token signs in and shows the booth.
  await page.fill('#token', token);
  await page.click('#sign-in-form button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.state === 'signed-in', null, { timeout: 30_000 });
  const me = await page.evaluate(() => window.portal.me);
  check(Boolean(me?.slug), `signed in as ${me?.slug}`);
  check((await page.locator('#booth-name').textContent()) === me.name, 'the booth name shows');
  check((await page.locator('#products li').count()) >= 2, 'the products are listed for editing');

  // 2b. The visitors card shows today's real figures as totals and a daily chart.
  const figure = (key) => page.locator(`#stats-totals [data-figure="${key}"] dd`).textContent();
  const minutes = (seconds) => `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${String(seconds % 60).padStart(2, '0')} s` : ''}`;
  check(await figure('visits') === String(counted.totals.visits), `the visits total shows ${counted.totals.visits}: "${await figure('visits')}"`);
  check(await figure('dwell_seconds') === minutes(counted.totals.dwell_seconds), `the time spent shows: "${await figure('dwell_seconds')}"`);
  check(await figure('brochure_downloads') === String(counted.totals.brochure_downloads), 'the brochure downloads show');
  const bars = await page.locator('#stats-chart svg.chart rect.chart-bar').evaluateAll((rects) => rects.map((r) => Number(r.dataset.value)));
  check(bars.length === 30 && bars.at(-1) === counted.days.at(-1).counts.visits && bars.at(-1) >= 7,
    `the chart has 30 days, today's bar at ${counted.days.at(-1).counts.visits}: ${bars.join(',')}`);
  const label = await page.locator('#stats-chart svg.chart').getAttribute('aria-label');
  check(label.includes(`${counted.totals.visits} in all`), `the chart describes itself: "${label}"`);
  await page.selectOption('#stats-metric', 'dwell_seconds');
  check(await page.locator('#stats-chart svg.chart').getAttribute('data-total') === String(counted.totals.dwell_seconds), 'the chart switches to time spent');
  await page.selectOption('#stats-period', '7');
  await page.waitForFunction(() => document.querySelectorAll('#stats-chart rect.chart-bar').length === 7);
  check(true, 'the period switches to 7 days');
  await page.selectOption('#stats-metric', 'visits');
  await page.selectOption('#stats-period', '30');
  await page.waitForFunction(() => document.querySelectorAll('#stats-chart rect.chart-bar').length === 30);
  const statsCard = page.locator('section[aria-labelledby="stats-title"]');
  writeFileSync(join(artifacts, 'portal-stats.png'), await statsCard.screenshot());

  // 2c. The messages are listed, download as CSV with the formula defused, and one is deleted.
  check(await page.locator('#leads-list li[data-lead]').count() === 2, 'both messages are listed');
  check((await page.locator('#leads-list li').first().textContent()).includes('HYPERLINK'), 'newest first, shown as text');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#leads-csv')]);
  const csv = readFileSync(await download.path(), 'utf8');
  check(download.suggestedFilename().startsWith(`leads-${booth}-`) && download.suggestedFilename().endsWith('.csv'), `the CSV has a name: ${download.suggestedFilename()}`);
  check(csv.includes('"\'=HYPERLINK(""http://evil.example"",""prize"")"') && csv.includes('"Grace Hopper","grace@example.org"'),
    `the CSV is quoted with the formula defused: ${JSON.stringify(csv.slice(0, 300))}`);
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator('#leads-list li', { hasText: 'Grace Hopper' }).locator('button.lead-delete').click();
  await page.waitForFunction(() => document.querySelectorAll('#leads-list li[data-lead]').length === 1);
  const remaining = await (await fetch(new URL('/api/v1/me/leads', base), { headers: { authorization: `Bearer ${token}` } })).json();
  check(remaining.length === 1 && remaining[0].email === 'mallory@example.org', 'the deleted message is gone from the server');
  writeFileSync(join(artifacts, 'portal-leads.png'), await page.locator('section[aria-labelledby="leads-title"]').screenshot());

  // 3. A broken field gets its message next to it; fixing it saves the draft.
  await page.fill('#f-tagline', 'short');
  await page.click('#profile-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('[data-error-for="tagline"]').textContent.length > 0);
  check((await errorText('tagline')).includes('10 to 100 characters'), `the tagline error sits by the tagline: "${await errorText('tagline')}"`);
  check(await page.locator('#f-tagline').getAttribute('aria-invalid') === 'true', 'the tagline input is marked invalid');
  check((await errorText('name')) === '', 'other fields carry no error');
  await page.fill('#f-tagline', 'Network detection, now edited in the portal');
  await page.click('#profile-form button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('profile-saved').textContent.startsWith('Draft saved'));
  check((await errorText('tagline')) === '', 'the error clears once the draft saves');

  // 3b. Someone else saves the draft after this tab loaded it: saving here shows the conflict,
  // keeps the form as typed and overwrites nothing; "Load the latest draft" brings theirs.
  const elsewhere = 'Network detection, as saved from another tab';
  const mine = 'Network detection, as typed in this tab';
  await page.fill('#f-tagline', mine);
  const direct = await fetch(new URL('/api/v1/me/profile', base), {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tagline: elsewhere }),
  });
  check(direct.ok, `the draft changes behind the page's back (HTTP ${direct.status})`);
  await page.click('#profile-form button[type="submit"]');
  await page.waitForSelector('#profile-conflict', { state: 'visible', timeout: 20_000 });
  check((await page.locator('#profile-conflict').textContent()).includes('changed elsewhere'), 'the conflict is shown by the save button');
  check((await page.inputValue('#f-tagline')) === mine, 'the edits stay in the form');
  const kept = await (await fetch(new URL('/api/v1/me/profile', base), { headers: { authorization: `Bearer ${token}` } })).json();
  check(kept.profile.tagline === elsewhere, `the other change was not overwritten: "${kept.profile.tagline}"`);
  await page.click('#profile-reload');
  await page.waitForSelector('#profile-conflict', { state: 'hidden' });
  check((await page.inputValue('#f-tagline')) === elsewhere, 'loading the latest draft shows the other change');

  // 4. An image uploads with the progress bar and appears in the media list.
  const exhibitors = await (await fetch(new URL('/api/v1/exhibitors', base))).json();
  const logo = Buffer.from(await (await fetch(new URL(exhibitors[0].logo_url, base))).arrayBuffer());
  await page.setInputFiles('#upload-file', { name: 'booth-photo.png', mimeType: 'image/png', buffer: logo });
  await page.fill('#upload-title', 'Our stand');
  await page.click('#upload-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelectorAll('#media-list li').length > 0, null, { timeout: 30_000 });
  check(await page.locator('#upload-progress').evaluate((bar) => bar.value) === 100, 'the progress bar reached 100 %');
  check(await page.locator('#media-list li img').count() === 1, 'the uploaded picture is listed with a preview');
  check((await page.locator('#media-list li a').first().textContent()) === 'Our stand', 'with its caption');

  // 5. A file that is not what its name says is refused beside the file field.
  await page.setInputFiles('#upload-file', { name: 'cat.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>alert(1)</script></html>') });
  await page.click('#upload-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('[data-error-for="file"]').textContent.length > 0);
  check((await errorText('file')).includes('not a kind Pavilion accepts'), `a fake PNG is refused: "${await errorText('file')}"`);
  check(await page.locator('#media-list li').count() === 1, 'nothing was added');

  // 6. Submitting shows the review status.
  await page.click('#submit-review');
  await page.waitForFunction(() => document.getElementById('review-status').dataset.status === 'pending');
  check((await page.locator('#review-status').textContent()).includes('waiting'), 'the status says the draft waits for review');
  check(await page.locator('#preview-link').getAttribute('href') === `/?booth=${me.slug}`, 'the preview opens the booth in the hall');
  writeFileSync(join(artifacts, 'portal.png'), await page.screenshot({ fullPage: true }));

  // 6b. "Show it here" frames the hall on the same origin (other sites may not frame it).
  const framed = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame.parentFrame() !== null && frame.url() !== 'about:blank', timeout: 30_000,
  });
  await page.click('#preview-show');
  const preview = await framed;
  await preview.waitForLoadState('domcontentloaded');
  check(await preview.locator('#hall-canvas').count() === 1, `the hall shows inside the portal (${preview.url()})`);
  // Stop the framed viewer: software rendering is slow and the rest of the test needs the CPU.
  await page.locator('#preview-frame').evaluate((frame) => { frame.src = 'about:blank'; });

  // 7. The API reference renders the OpenAPI document.
  const docs = await context.newPage();
  watchContentSecurityPolicy(docs, cspViolations);
  await docs.goto(new URL('/api.html', base).href);
  await docs.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
  const operations = await docs.locator('.api-operation').count();
  check(operations >= 20, `the API page lists ${operations} operations`);
  writeFileSync(join(artifacts, 'api-reference.png'), await docs.screenshot());

  check(pageErrors.length === 0, `no uncaught page errors ${pageErrors.join(' | ')}`);
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy ${cspViolations.join(' | ')}`);
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`\n${failures.length} portal check(s) failed`);
  process.exit(1);
}
console.log('\nall portal checks passed');
process.exit(0);
