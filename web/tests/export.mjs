// Browser test of a static export (`pavilion export`) served by nginx, not by Pavilion: the
// caching and security headers the export's nginx.conf sets, the gzip forms, the server-only
// pages left out; then, in Chromium, the agenda reckoning "now" without a server and what needs
// the server. With no API origin (PAVILION_EXPORT=static) the lead form and the contest say they
// are not available and nothing calls a path the export lacks; with one
// (PAVILION_EXPORT=api, PAVILION_API_ORIGIN) the contest and the lead policy come from that
// server across origins, analytics reach it, and it answers CORS for the export's origin only.
//
// Env: PAVILION_URL (the export's origin, required), PAVILION_EXPORT (`static` or `api`),
// PAVILION_API_ORIGIN (with `api`), PAVILION_ARTIFACTS.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, check, failures, launchChromium, watchContentSecurityPolicy } from './support.mjs';

const base = process.env.PAVILION_URL;
const mode = process.env.PAVILION_EXPORT ?? 'static';
const apiOrigin = process.env.PAVILION_API_ORIGIN;
if (!base || (mode === 'api' && !apiOrigin)) throw new Error('set PAVILION_URL (and PAVILION_API_ORIGIN with PAVILION_EXPORT=api)');
const exportOrigin = new URL(base).origin;
const artifacts = artifactsDir();

// Headers, codings and what is left out, as any client sees them.
const page = await fetch(new URL('/', base));
check(page.status === 200, `the export serves its hall page (${page.status})`);
check(/connect-src 'self'/.test(page.headers.get('content-security-policy') ?? ''), 'with the Content-Security-Policy');
check(page.headers.get('cache-control') === 'no-cache', `pages are revalidated (${page.headers.get('cache-control')})`);
const html = await page.text();
check(html.includes('<meta name="pavilion-export" content="static">'), 'the page is marked as an export');
check(mode !== 'api' || html.includes(`<meta name="pavilion-api-origin" content="${apiOrigin}">`), 'and names the API origin when given one');
const hall = await fetch(new URL('/api/v1/hall.json', base), { headers: { 'accept-encoding': 'gzip' } });
check(hall.status === 200 && hall.headers.get('content-encoding') === 'gzip', `the snapshot comes in its gzip form (${hall.headers.get('content-encoding')})`);
check(hall.headers.get('content-type')?.startsWith('application/json'), `as JSON (${hall.headers.get('content-type')})`);
const snapshot = await hall.json();
const exhibitors = await (await fetch(new URL('/api/v1/exhibitors.json', base))).json();
check(exhibitors.length > 0 && exhibitors.length === snapshot.exhibitors.length, `${exhibitors.length} exhibitors, as many as the snapshot's booths`);
const withLogo = snapshot.exhibitors.find((e) => e.logo_url?.startsWith('/media/'));
const media = await fetch(new URL(withLogo.logo_url, base));
check(media.status === 200 && media.headers.get('cache-control') === 'public, max-age=31536000, immutable', `media are immutable (${media.headers.get('cache-control')})`);
const wasm = await fetch(new URL('/pkg/pavilion_viewer_bg.wasm', base), { method: 'HEAD' });
check(wasm.headers.get('content-type') === 'application/wasm', `the viewer is served as wasm (${wasm.headers.get('content-type')})`);
for (const path of ['/staff.html', '/portal.html', '/api.html', '/api/v1/programme/now']) {
  const left = await fetch(new URL(path, base), { method: 'HEAD' });
  check(left.status === 404, `${path} needs the server and is not in the export (${left.status})`);
}
const screen = snapshot.halls.flatMap((h) => h.stages ?? []).find((s) => s.screen_url)?.screen_url;
if (screen) {
  const picture = await fetch(new URL(screen, base));
  check(picture.status === 200 && picture.headers.get('content-type') === 'image/png', `a stage's screen is a picture in the export (${screen})`);
}

if (mode === 'api') {
  const events = new URL('/api/v1/events', apiOrigin);
  const preflight = await fetch(events, {
    method: 'OPTIONS',
    headers: { origin: exportOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  check(preflight.ok && preflight.headers.get('access-control-allow-origin') === exportOrigin, `the server lets the export's origin post events (${preflight.status} ${preflight.headers.get('access-control-allow-origin')})`);
  const stranger = await fetch(new URL('/api/v1/contest', apiOrigin), { headers: { origin: 'https://elsewhere.example' } });
  check(stranger.headers.get('access-control-allow-origin') === null, 'and no other origin');
}

const browser = await launchChromium({ webgl: false });
try {
  // nginx sends the export's own Content-Security-Policy (checked above); the page is not
  // routed through Playwright, which Chromium would take for a public page and refuse its
  // calls to the loopback API origin (Local Network Access).
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const tab = await context.newPage();
  const violations = watchContentSecurityPolicy(tab);
  const errors = [];
  const failed = [];
  const crossOrigin = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  tab.on('response', (response) => {
    const url = new URL(response.url());
    if (response.status() >= 400) failed.push(`${response.status()} ${url.pathname}`);
    if (url.origin !== exportOrigin) crossOrigin.push(`${response.request().method()} ${url.origin}${url.pathname} ${response.status()}`);
  });

  // The agenda: the programme from its file, "now" reckoned in the browser.
  await tab.goto(new URL('/agenda.html', base).href);
  await tab.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 30_000 });
  check(await tab.evaluate(() => document.body.dataset.state) === 'ready', 'the agenda loads from the export');
  check(await tab.locator('#days a[href^="#/session/"]').count() > 0, 'and lists the sessions');
  check(await tab.locator('#now-card').isVisible() && await tab.locator('#now li').count() > 0, 'with what is on now and next, reckoned without a server');

  // A booth: its details from the export; the lead form needs the server.
  const target = exhibitors[0];
  await tab.goto(new URL(`/#/booth/${target.slug}`, base).href);
  const opened = await tab.waitForFunction((slug) => !document.getElementById('booth-panel').hidden
    && document.getElementById('booth-panel').dataset.slug === slug, target.slug, { timeout: 120_000 }).then(() => true, () => false);
  check(opened, `a link opens ${target.name}'s booth`);
  check((await tab.locator('#panel-name').textContent()) === target.name, 'with its details from the export');
  if (mode === 'static') {
    const note = await tab.locator('#lead-form .lead-unavailable').textContent().catch(() => '');
    check(/static export/.test(note ?? '') && (await tab.locator('#lead-name').count()) === 0, `the lead form says it needs the server: "${note}"`);
  } else {
    await tab.waitForFunction(() => !/^Loading/.test(document.getElementById('lead-consent-text')?.textContent ?? 'Loading'), null, { timeout: 30_000 }).catch(() => {});
    const consent = await tab.locator('#lead-consent-text').textContent();
    check(!/^Loading/.test(consent ?? ''), `the lead form shows the server's consent statement: "${(consent ?? '').slice(0, 60)}…"`);
    // Analytics go out in batches every ten seconds: the booth visit reaches the server.
    const sent = await tab.waitForResponse((r) => r.url().startsWith(`${apiOrigin}/api/v1/events`) && r.request().method() === 'POST', { timeout: 30_000 }).catch(() => null);
    check(sent && sent.ok(), `a booth visit reaches the server's analytics across origins (${sent?.status()})`);
  }
  writeFileSync(join(artifacts, `export-${mode}-booth.png`), await tab.screenshot());

  // The contest lives on the server.
  await tab.goto(new URL('/contest.html', base).href);
  if (mode === 'static') {
    await tab.waitForFunction(() => document.getElementById('who-status').textContent.length > 0, null, { timeout: 30_000 }).catch(() => {});
    const status = await tab.locator('#who-status').textContent();
    check(/static export/.test(status ?? ''), `the contest says it needs the server: "${status}"`);
  } else {
    await tab.waitForFunction(() => document.querySelectorAll('#sets li[data-set]').length > 0, null, { timeout: 30_000 }).catch(() => {});
    check(await tab.locator('#sets li[data-set]').count() > 0, 'the contest lists the question sets from the server');
  }
  writeFileSync(join(artifacts, `export-${mode}-contest.png`), await tab.screenshot());

  check(errors.length === 0, `no uncaught page errors ${errors.join(' | ')}`);
  check(violations.length === 0, `nothing breaks the Content-Security-Policy ${violations.join(' | ')}`);
  check(failed.length === 0, `no request failed ${failed.slice(0, 10).join(', ')}`);
  if (mode === 'static') check(crossOrigin.length === 0, `nothing left the export's origin ${crossOrigin.slice(0, 5).join(', ')}`);
  else check(crossOrigin.every((line) => line.includes(apiOrigin)), `only the API origin was called across origins ${crossOrigin.slice(0, 5).join(', ')}`);
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`\n${failures.length} export check(s) failed`);
  process.exit(1);
}
console.log(`\nthe ${mode} export passed`);
