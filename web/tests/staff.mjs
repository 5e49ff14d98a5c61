// Browser test of the staff console: the real server, Debian's Chromium driven by Playwright.
// Signs in, sees the visitor figures (totals and busiest booths of events posted first), sets
// the lead retention, adds a hall, moves a booth into it and drags it (saved, checked through the API),
// drags a booth onto its neighbour (highlighted with the reason, refused on save), publishes
// (the visitor API's version changes), rolls back (the visitor API serves the first snapshot
// byte for byte) and signs out. A save over a draft someone else changed since the page loaded
// it shows the conflict (412) instead of overwriting; the latest draft loads on request.
// The programme card lists the days and sessions of the programme draft; moving a session
// onto another one's time on its stage is refused with the overlap shown and nothing saved,
// and moving it to another stage and time is saved.
// Saves screenshots. The page runs under the
// Content-Security-Policy of support.mjs, and nothing may break it.
//
// Env: PAVILION_URL (required), PAVILION_STAFF_NAME and PAVILION_STAFF_PASSWORD (an account
// made with `pavilion staff create`), PAVILION_ARTIFACTS (screenshots; default ./e2e-output).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium, staffToken, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
const staffName = process.env.PAVILION_STAFF_NAME;
const staffPassword = process.env.PAVILION_STAFF_PASSWORD;
if (!base || !staffName || !staffPassword) {
  throw new Error('set PAVILION_URL, PAVILION_STAFF_NAME and PAVILION_STAFF_PASSWORD');
}
const artifacts = artifactsDir();

// The test's own staff session, to check through the API what the page did.
const token = await staffToken(base, staffName, staffPassword);
async function api(method, path, body) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, data: await response.json().catch(() => null) };
}
const hallBytes = async () => Buffer.from(await (await fetch(new URL('/api/v1/hall', base))).arrayBuffer());
const boothIn = (layout, slug) => {
  for (const hall of layout.halls) {
    const booth = hall.booths.find((b) => b.exhibitor === slug);
    if (booth) return { hall, booth };
  }
  return null;
};

const browser = await launchChromium();

try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await enforceContentSecurityPolicy(context);
  const page = await context.newPage();
  const cspViolations = watchContentSecurityPolicy(page);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('dialog', (dialog) => dialog.accept());
  const status = () => page.locator('#status').textContent();
  const waitForStatus = (text) => page.waitForFunction(
    (t) => document.getElementById('status').textContent.includes(t), text, { timeout: 20_000 },
  );

  const firstBytes = await hallBytes();
  const firstVersion = JSON.parse(firstBytes).version;

  // Visitors today: three visits to one booth, one to another (as the hall page reports them).
  const [busy, quiet] = (await (await fetch(new URL('/api/v1/exhibitors', base))).json()).slice(0, 2);
  const hallStats = async () => (await api('GET', '/api/v1/staff/stats')).data;
  const before = await hallStats();
  const visitsOf = (stats, slug) => stats.busiest.find((b) => b.booth === slug)?.counts.visits ?? 0;
  const visit = (b) => ({ booth: b.slug, kind: 'visit' });
  const posted = await fetch(new URL('/api/v1/events', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [visit(busy), visit(quiet), visit(busy), visit(busy), { booth: busy.slug, kind: 'dwell', seconds: 60 }] }),
  });
  check(posted.status === 202, `visitor events are accepted (HTTP ${posted.status})`);
  // Other tests may have visited booths too: compare with the figures before.
  const counted = await hallStats();
  check(counted.totals.visits === before.totals.visits + 4 && visitsOf(counted, busy.slug) === visitsOf(before, busy.slug) + 3,
    `the hall's figures grew by the events: ${before.totals.visits} -> ${counted.totals.visits}`);

  // 1. Sign in.
  await page.goto(new URL('/staff.html', base).href);
  await page.fill('#sign-in-password', 'not the password');
  await page.fill('#sign-in-name', staffName);
  await page.click('#sign-in button[type=submit]');
  await page.waitForFunction(() => document.getElementById('sign-in-error').textContent.length > 0);
  check((await page.locator('#sign-in-error').textContent()).includes('wrong'), 'a wrong password is refused on the page');
  await page.fill('#sign-in-password', staffPassword);
  await page.click('#sign-in button[type=submit]');
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
  // An admin sees the team, with their own account marked and protected from self-removal.
  const own = page.locator(`#accounts li[data-account="${staffName}"]`);
  check(await page.locator('#accounts-card').isVisible() && (await own.count()) === 1, 'an admin sees the staff accounts');
  check((await own.getByRole('button', { name: 'Delete' }).count()) === 0, 'an admin cannot delete their own account from the console');
  // The visitors card: the hall's totals, the daily chart, the busiest booths by visits.
  await page.waitForFunction(() => document.querySelector('#hall-busiest table'), null, { timeout: 20_000 });
  check(await page.locator('#hall-stats-totals [data-figure="visits"] dd').textContent() === String(counted.totals.visits),
    `the hall total of visits shows ${counted.totals.visits}`);
  const busiest = await page.locator('#hall-busiest tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  const names = new Map([[busy.slug, busy.name], [quiet.slug, quiet.name]]);
  const expectedRows = counted.busiest.map((b) => [names.get(b.booth) ?? b.booth, String(b.counts.visits)]);
  check(JSON.stringify(busiest.map((r) => r.slice(0, 2)).filter((r) => [busy.name, quiet.name].includes(r[0])))
    === JSON.stringify(expectedRows.filter((r) => [busy.name, quiet.name].includes(r[0]))) && busiest.length === counted.busiest.length,
  `the busiest booths, most visits first: ${JSON.stringify(busiest)}`);
  check(await page.locator('#hall-stats-chart svg.chart').getAttribute('data-total') === String(counted.totals.visits), 'the daily chart counts every visit');
  writeFileSync(join(artifacts, 'staff-visitors.png'), await page.locator('section[aria-labelledby="hall-stats-title"]').screenshot());

  // The lead retention: an admin sets it, and the visitor policy names the new period.
  check(await page.inputValue('#retention-days') === '90', 'leads are kept 90 days until staff say otherwise');
  await page.fill('#retention-days', '45');
  await page.click('#retention-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('retention-status').textContent.includes('45 days'));
  const policy = await (await fetch(new URL('/api/v1/leads/policy', base))).json();
  check(policy.retention_days === 45 && policy.consent_statement.includes('45 days'), 'the visitors\' consent statement names 45 days');
  await page.fill('#retention-days', '0');
  await page.click('#retention-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('retention-status').textContent.startsWith('Not changed'));
  check((await page.locator('#retention-status').textContent()).includes('1 to 730'), 'a retention of 0 days is refused with the range');

  const layout = (await api('GET', '/api/v1/staff/layout')).data;
  const firstHall = layout.halls[0];
  check((await page.locator('#plan .booth').count()) === firstHall.booths.length, `the plan shows the ${firstHall.booths.length} booths of ${firstHall.id}`);
  check(layout.problems.length === 0 && (await page.locator('#plan .booth.invalid').count()) === 0, 'the saved draft breaks no rule');
  writeFileSync(join(artifacts, 'staff-signed-in.png'), await page.screenshot());

  // 1b. The programme: the card lists the draft's days and the first day's sessions.
  const programmeStatus = (text) => page.waitForFunction(
    (t) => document.getElementById('programme-status').textContent.includes(t), text, { timeout: 20_000 },
  );
  const draftProgramme = (await api('GET', '/api/v1/staff/programme')).data;
  check(draftProgramme.programme !== null, 'the server has a programme draft (the seed)');
  const { days, sessions } = draftProgramme.programme;
  check((await page.locator('#programme-day option').count()) === days.length, `the programme card lists the ${days.length} days`);
  const firstDay = sessions.filter((s) => s.day === days[0].date).sort((x, y) => x.start.localeCompare(y.start));
  check((await page.locator('#programme-sessions li').count()) === firstDay.length, `it lists the ${firstDay.length} sessions of ${days[0].date}`);
  const [opening, second] = firstDay.filter((s) => s.stage === firstDay[0].stage);
  // Move the second session onto the opening's start, on the same stage: refused.
  await page.locator(`#programme-sessions li[data-session="${second.id}"] button`).click();
  await page.fill('#session-start', opening.start);
  await page.click('#session-save');
  await programmeStatus('Not saved');
  const overlap = await page.locator('#programme-problems li[data-rule="overlap"]').allTextContents();
  check(overlap.length === 1 && overlap[0].includes(opening.id), `the overlap with ${opening.id} is shown: ${overlap}`);
  const unchanged = (await api('GET', '/api/v1/staff/programme')).data;
  check(unchanged.revision === draftProgramme.revision
    && unchanged.programme.sessions.find((s) => s.id === second.id).start === second.start, 'the refused session was not saved');
  writeFileSync(join(artifacts, 'staff-programme-refused.png'), await page.screenshot());
  // Move it to a free stage at the same time instead: saved.
  const freeStage = draftProgramme.programme.stages.find((stage) => !sessions.some((s) => s.stage === stage.id && s.day === second.day && s.start < second.end && second.start < s.end));
  await page.fill('#session-start', second.start);
  await page.selectOption('#session-stage', freeStage.id);
  await page.click('#session-save');
  await programmeStatus(`Saved ${second.id}`);
  const moved = (await api('GET', '/api/v1/staff/programme')).data;
  check(moved.revision === draftProgramme.revision + 1 && moved.programme.sessions.find((s) => s.id === second.id).stage === freeStage.id,
    `the session is saved on ${freeStage.id}`);
  check((await page.locator('#programme-problems li').count()) === 0, 'no problem is listed after the save');

  // A booth whose leaving keeps its hall valid (an island, or the end of a row).
  let movable = null;
  for (const booth of [...firstHall.booths].sort((a, b) => b.footprint.depth - a.footprint.depth)) {
    const halls = structuredClone(layout.halls);
    halls[0].booths = halls[0].booths.filter((b) => b.exhibitor !== booth.exhibitor);
    if ((await api('POST', '/api/v1/staff/layout/check', { halls })).data.length === 0) {
      movable = booth.exhibitor;
      break;
    }
  }
  check(movable !== null, `found a booth that can leave ${firstHall.id}: ${movable}`);

  // 2. Add a hall, move the booth into it, save.
  await page.fill('#hall-name', 'Annex');
  await page.click('#add-hall button[type=submit]');
  await waitForStatus('Added the hall Annex');
  const annex = (await api('GET', '/api/v1/staff/layout')).data.halls.find((h) => h.name === 'Annex');
  check(annex !== undefined, `the hall is saved as ${annex?.id}`);
  await page.locator('.staff-tab', { hasText: firstHall.name }).click();
  await page.locator(`#plan .booth[data-slug="${movable}"]`).click();
  await page.selectOption('#booth-hall', annex.id);
  await waitForStatus('unsaved');
  await page.click('#save');
  await waitForStatus('Layout saved.');
  let saved = boothIn((await api('GET', '/api/v1/staff/layout')).data, movable);
  check(saved?.hall.id === annex.id, `${movable} is saved in ${annex.id}`);

  // 3. Drag it 4 m right and 6 m further in; the drop snaps to 0.5 m and is saved.
  const start = saved.booth.position;
  const node = page.locator(`#plan .booth[data-slug="${movable}"]`);
  const box = await node.boundingBox();
  // Screen pixels per metre of the plan (the SVG's user unit is a metre).
  const metre = await page.evaluate(() => document.getElementById('plan').getScreenCTM().a);
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 4.1 * metre, cy + 5.9 * metre, { steps: 12 });
  await page.mouse.up();
  await waitForStatus('unsaved');
  check((await page.locator('#plan .booth.invalid').count()) === 0, 'the dragged booth keeps every rule');
  await page.click('#save');
  await waitForStatus('Layout saved.');
  saved = boothIn((await api('GET', '/api/v1/staff/layout')).data, movable);
  const expected = [start[0] + 4, start[1] + 6];
  check(saved.booth.position[0] === expected[0] && saved.booth.position[1] === expected[1],
    `the drag is saved: (${start}) -> (${saved.booth.position}), expected (${expected})`);
  writeFileSync(join(artifacts, 'staff-dragged.png'), await page.screenshot());

  // 4. Drag a booth onto its neighbour: highlighted with the reason, refused on save.
  await page.locator('.staff-tab', { hasText: firstHall.name }).click();
  const rows = layout.halls[0].booths.filter((b) => b.exhibitor !== movable);
  const [a, b] = [rows[rows.length - 2], rows[rows.length - 1]];
  const boxA = await page.locator(`#plan .booth[data-slug="${a.exhibitor}"]`).boundingBox();
  const boxB = await page.locator(`#plan .booth[data-slug="${b.exhibitor}"]`).boundingBox();
  await page.mouse.move(boxA.x + boxA.width / 2, boxA.y + boxA.height / 2);
  await page.mouse.down();
  await page.mouse.move(boxB.x + boxB.width / 2, boxB.y + boxB.height / 2, { steps: 12 });
  await page.mouse.up();
  await page.waitForSelector(`#plan .booth.invalid[data-slug="${a.exhibitor}"]`, { timeout: 20_000 });
  const label = await page.locator(`#plan .booth[data-slug="${a.exhibitor}"]`).getAttribute('aria-label');
  check(label.includes(`overlaps the booth of ${b.exhibitor}`), `the booth says why it is invalid: ${label}`);
  const listed = await page.locator('#problems li').allTextContents();
  check(listed.some((text) => text.includes('overlaps the booth of')), `the problem list names the overlap (${listed.length} problems)`);
  check((await status()).includes('problem'), 'the status line reports the problem');
  writeFileSync(join(artifacts, 'staff-overlap.png'), await page.screenshot());
  await page.click('#save');
  await waitForStatus('Not saved');
  const after = boothIn((await api('GET', '/api/v1/staff/layout')).data, a.exhibitor);
  check(after.booth.position[0] === a.position[0] && after.booth.position[1] === a.position[1], 'the overlapping move was not saved');
  await page.click('#revert');
  await page.waitForFunction(() => document.querySelectorAll('#plan .booth.invalid').length === 0);
  check(true, 'revert brings back the saved draft');

  // 4b. Someone else saves the draft while this page has an unsaved nudge: saving shows the
  // conflict and overwrites nothing; "Load the latest draft" brings their change in.
  await page.locator('.staff-tab', { hasText: 'Annex' }).click();
  await page.locator(`#plan .booth[data-slug="${movable}"]`).click();
  await page.keyboard.press('ArrowRight');
  await waitForStatus('unsaved');
  const elsewhere = await api('POST', '/api/v1/staff/layout/halls', { name: 'Overflow' });
  check(elsewhere.status === 201, `the draft changes behind the page's back (HTTP ${elsewhere.status})`);
  await page.click('#save');
  await page.waitForSelector('#layout-conflict', { state: 'visible', timeout: 20_000 });
  check((await status()).includes('changed elsewhere'), `the status line reports the conflict: "${await status()}"`);
  const untouched = (await api('GET', '/api/v1/staff/layout')).data;
  check(untouched.halls.some((h) => h.name === 'Overflow'), 'the other change was not overwritten');
  const stillThere = boothIn(untouched, movable);
  check(stillThere.booth.position[0] === expected[0] && stillThere.booth.position[1] === expected[1], 'the nudge was not saved over it');
  await page.click('#layout-reload');
  await waitForStatus('Loaded the latest layout draft');
  check(await page.locator('#layout-conflict').isHidden(), 'the conflict notice goes once the latest draft is loaded');
  check((await page.locator('.staff-tab', { hasText: 'Overflow' }).count()) === 1, 'the page shows the other change');

  // 5. Publish: the visitor API serves a new version with the new hall.
  await page.click('#publish');
  await waitForStatus('Published version');
  const published = JSON.parse(await hallBytes());
  check(published.version > firstVersion, `the visitor API moved from version ${firstVersion} to ${published.version}`);
  check(published.halls.some((h) => h.name === 'Annex'), 'the published hall has the Annex');
  await page.waitForSelector(`#versions li.live[data-version="${published.version}"]`);
  check(true, `the versions list marks v${published.version} live`);

  // 6. Roll back: the visitor API serves the first snapshot byte for byte.
  await page.locator(`#versions li[data-version="${firstVersion}"] button`).click();
  await waitForStatus('Rolled back');
  const rolledBack = await hallBytes();
  check(rolledBack.equals(firstBytes), `after the rollback /api/v1/hall is version ${firstVersion} byte for byte`);
  const audit = await page.locator('#audit li').allTextContents();
  for (const action of ['rollback', 'publish', 'replace layout', 'add hall', 'replace programme', 'sign in']) {
    check(audit.some((line) => line.includes(`${staffName} · ${action}`)), `the audit log shows "${action}"`);
  }
  writeFileSync(join(artifacts, 'staff.png'), await page.screenshot());

  // 7. Sign out.
  await page.click('#sign-out');
  await page.waitForFunction(() => document.body.dataset.state === 'signed-out');
  check(await page.locator('#sign-in').isVisible(), 'signing out shows the sign-in form');
  check(pageErrors.length === 0, `no script errors on the page ${pageErrors.join(' | ')}`);
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy ${cspViolations.join(' | ')}`);
} finally {
  await browser.close();
  await api('DELETE', '/api/v1/staff/sessions').catch(() => {});
}

console.log(`\n${failures.length === 0 ? 'staff console: all checks passed' : `staff console: ${failures.length} check(s) failed`}`);
process.exit(failures.length === 0 ? 0 : 1);
