// Browser test of what the visitor page reports and collects, without the 3D hall (the bare
// viewer scene, a booth opened from its address): opening, timing and closing a booth sends a
// batch of events to /api/v1/events with nothing that identifies the visitor; a browser set to
// "do not track" or Global Privacy Control sends nothing; the lead form's consent box starts
// unticked, nothing is sent without the tick, and with it the message reaches the exhibitor.
// The page runs under the Content-Security-Policy of support.mjs, and nothing may break it.
//
// Env: PAVILION_URL (required), PAVILION_EXHIBITOR_TOKEN (required; the booth tested is the
//      token's), PAVILION_ARTIFACTS (where screenshots go; default ./e2e-output).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
const token = process.env.PAVILION_EXHIBITOR_TOKEN;
if (!base || !token) throw new Error('set PAVILION_URL and PAVILION_EXHIBITOR_TOKEN');
const artifacts = artifactsDir();
const asBooth = async (path) => (await fetch(new URL(path, base), { headers: { authorization: `Bearer ${token}` } })).json();
const booth = (await asBooth('/api/v1/me')).slug;

const browser = await launchChromium();

/** A page at the booth's address; `events` collects the bodies posted to /api/v1/events. */
async function openBooth(context) {
  const page = await context.newPage();
  const events = [];
  const errors = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/v1/events') {
      events.push({ body: JSON.parse(request.postData()), headers: request.headers() });
    }
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(new URL(`/?scene=bare&booth=${booth}`, base).href);
  await page.waitForFunction((slug) => document.getElementById('booth-panel').dataset.slug === slug
    && !document.getElementById('booth-panel').hidden, booth, { timeout: 60_000 });
  return { page, events, errors };
}

try {
  // 1. Opening a booth, keeping it open and closing it reports a visit and the time spent.
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await enforceContentSecurityPolicy(context);
  const { page, events, errors } = await openBooth(context);
  const cspViolations = watchContentSecurityPolicy(page);
  const before = (await asBooth('/api/v1/me/stats')).totals;
  await page.waitForTimeout(2200);
  await page.click('#panel-close');
  await page.evaluate(async () => (await import('/analytics.js')).flush());
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/api/v1/events')), null, { timeout: 10_000 });
  const sent = events.flatMap((e) => e.body.events);
  check(sent.some((e) => e.booth === booth && e.kind === 'visit'), `the visit is reported: ${JSON.stringify(sent)}`);
  const dwell = sent.find((e) => e.kind === 'dwell');
  check(dwell && dwell.seconds >= 2 && dwell.seconds < 30, `the time the booth was open is reported (${dwell?.seconds} s)`);
  check(events.every((e) => !e.headers.cookie), 'no cookie goes with the events');
  // The visitor's own lists (booths opened and saved, saved.js) are theirs, kept in the browser
  // and never sent; analytics itself stores nothing.
  check(await page.evaluate(() => document.cookie === '' && sessionStorage.length === 0
    && Object.keys(localStorage).every((key) => key === 'pavilion.visited' || key === 'pavilion.saved')), 'analytics stores nothing in the browser');
  await page.waitForTimeout(500);
  const after = (await asBooth('/api/v1/me/stats')).totals;
  check(after.visits === before.visits + 1 && after.dwell_seconds >= before.dwell_seconds + 2, `the exhibitor's figures count it: ${JSON.stringify(after)}`);

  // 2. The lead form: unticked consent by default; nothing is sent without the tick.
  await page.goto(new URL(`/?scene=bare&booth=${booth}`, base).href);
  await page.waitForFunction(() => !document.getElementById('booth-panel').hidden, null, { timeout: 60_000 });
  await page.waitForFunction(() => document.getElementById('lead-consent-text').textContent.includes('days'));
  check(!(await page.isChecked('#lead-consent')), 'the consent box starts unticked');
  const { retention_days: days } = await (await fetch(new URL('/api/v1/leads/policy', base))).json();
  check((await page.locator('#lead-consent-text').textContent()).includes(`kept for ${days} days`), `the consent wording names the retention (${days} days)`);
  const leadsBefore = (await asBooth('/api/v1/me/leads')).length;
  await page.fill('#lead-name', 'Katherine Johnson');
  await page.fill('#lead-email', 'katherine@example.org');
  await page.fill('#lead-message', 'Could we meet at the booth on Thursday?');
  await page.click('#lead-form button[type=submit]');
  check((await page.locator('#lead-error').textContent()).includes('Tick the box'), 'without the tick the form says so');
  check((await asBooth('/api/v1/me/leads')).length === leadsBefore, 'and nothing was sent');
  await page.check('#lead-consent');
  await page.fill('#lead-email', 'not an address');
  await page.click('#lead-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('lead-error').textContent.includes('e-mail address'));
  check(true, 'a wrong address is refused by the server with its reason');
  await page.fill('#lead-email', 'katherine@example.org');
  await page.click('#lead-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('lead-status').textContent.startsWith('Sent'));
  check(!(await page.isChecked('#lead-consent')) && (await page.inputValue('#lead-message')) === '', 'the form empties once sent');
  const leads = await asBooth('/api/v1/me/leads');
  check(leads.length === leadsBefore + 1 && leads[0].message === 'Could we meet at the booth on Thursday?', 'the exhibitor has the message');
  writeFileSync(join(artifacts, 'visitor-lead-form.png'), await page.locator('#booth-panel').screenshot());
  check(errors.length === 0, `no uncaught page errors ${errors.join(' | ')}`);
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy ${cspViolations.join(' | ')}`);

  // 3. "Do not track" and Global Privacy Control: nothing is sent at all.
  for (const [name, script] of [
    ['Do Not Track', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })],
    ['Global Privacy Control', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })],
  ]) {
    const quiet = await browser.newContext();
    await enforceContentSecurityPolicy(quiet);
    await quiet.addInitScript(script);
    const opened = await openBooth(quiet);
    await opened.page.waitForTimeout(1200);
    await opened.page.click('#panel-close');
    await opened.page.evaluate(async () => (await import('/analytics.js')).flush());
    await opened.page.close({ runBeforeUnload: true });
    check(opened.events.length === 0, `with ${name} the page sends no events (${opened.events.length})`);
    await quiet.close();
  }
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`\n${failures.length} visitor insights check(s) failed`);
  process.exit(1);
}
console.log('\nall visitor insights checks passed');
process.exit(0);
