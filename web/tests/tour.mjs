// Browser test of the ways round the hall: hall and topic links with back and forward, the
// minimap (the visitor on it, moving changes it, a click walks there, it can be hidden), the 2D
// twin in a browser without WebGL (keyboard only: the skip link, Tab to a booth, Enter opens it
// and the address follows), selecting in one view selects in the other, touch at phone size,
// and axe-core on every page (no serious or critical violations). Screenshots of the minimap,
// the 2D plan and the phone view go to PAVILION_ARTIFACTS.
//
// Env: PAVILION_URL (required), PAVILION_ARTIFACTS (where screenshots go; default ./e2e-output),
// PAVILION_EXHIBITOR_TOKEN and PAVILION_STAFF_NAME/PAVILION_STAFF_PASSWORD (optional: the portal
// and the staff console are then also checked signed in), TOUR_PARTS (a comma-separated subset
// of links,twin,touch,a11y; all by default).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium, seriousAccessibilityProblems, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
if (!base) throw new Error('set PAVILION_URL, e.g. http://127.0.0.1:8080/');
const artifacts = artifactsDir();
const READY_TIMEOUT = 240_000;
const WALK_TIMEOUT = 90_000;
const only = new Set((process.env.TOUR_PARTS ?? 'links,twin,a11y,touch').split(','));

const snapshot = await (await fetch(new URL('/api/v1/hall', base))).json();
const exhibitors = await (await fetch(new URL('/api/v1/exhibitors', base))).json();
const cspViolations = [];
const pageErrors = [];

/** Opens a page in a fresh context held to the policy, with its errors collected. */
async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 576 }, ...options });
  await enforceContentSecurityPolicy(context);
  const page = await context.newPage();
  watchContentSecurityPolicy(page, cspViolations);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`  [console.error] ${message.text().replace(/%c/g, '').slice(0, 300)}`);
  });
  return page;
}

async function waitForHall(page) {
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: READY_TIMEOUT });
  return page.evaluate(() => document.body.dataset.state === 'ready');
}

/** True once the visitor's reported pose is within `within` metres of `[x, z]`. */
function poseNear(page, [x, z], within) {
  return page.waitForFunction(([px, pz, w]) => {
    const pose = window.pavilion.pose;
    return pose && Math.hypot(pose.x - px, pose.z - pz) <= w;
  }, [x, z, within], { timeout: WALK_TIMEOUT }).then(() => true, () => false);
}

const pose = (page) => page.evaluate(() => window.pavilion.pose);
const hash = (page) => new URL(page.url()).hash;
const entranceOf = (hall) => [hall.origin[0] + hall.entrances[0].x, hall.origin[1] + 2.5];
function zoneEntranceOf(topic) {
  const hall = snapshot.halls.find((h) => h.zones.some((zone) => zone.topic === topic));
  const zone = hall.zones.find((z) => z.topic === topic);
  const along = Math.min(Math.max(hall.entrances[0].x, zone.area.x + 1), zone.area.x + zone.area.width - 1);
  return [hall.origin[0] + along, hall.origin[1] + Math.max(zone.area.z - 1.5, 2.5)];
}

/** The page's client point of the minimap's world point `[x, z]`. */
function minimapPoint(page, [x, z]) {
  return page.evaluate(([wx, wz]) => {
    const content = document.querySelector('#minimap-frame svg > g');
    const point = new DOMPoint(wx, wz).matrixTransform(content.getScreenCTM());
    return { x: point.x, y: point.y };
  }, [x, z]);
}

const a11y = [];
async function checkAccessibility(page, name) {
  const problems = await seriousAccessibilityProblems(page);
  a11y.push(name);
  check(problems.length === 0, `axe finds no serious or critical violation on ${name} ${problems.join(' | ')}`);
}

const browser = await launchChromium();
const noWebgl = await launchChromium({ webgl: false });
try {
  if (only.has('links')) {
    // 1. A hall link walks the visitor to that hall's entrance; the minimap shows them there.
    const page = await openPage(browser);
    const [hall1, hall2, hall3] = snapshot.halls;
    await page.goto(new URL(`/#/hall/${hall2.id}`, base).href);
    check(await waitForHall(page), 'the 3D hall is ready');
    check(await poseNear(page, entranceOf(hall2), 3), `a link to #/hall/${hall2.id} walks to its entrance (${JSON.stringify(await pose(page))})`);
    check(await page.locator('#minimap').isVisible(), 'the minimap shows over the 3D hall');
    check(await page.locator('#minimap .fp-booth').count() === exhibitors.length, 'the minimap draws every booth');
    check(await page.locator('#minimap .fp-visitor').getAttribute('visibility') === 'visible', 'and the visitor on it');
    const markerAtHall2 = await page.locator('#minimap .fp-visitor').getAttribute('transform');
    await page.waitForTimeout(3000);
    writeFileSync(join(artifacts, 'hall-with-minimap.png'), await page.screenshot());

    // The directory's hall link and topic link; back and forward between them.
    await page.locator(`#hall-links a[href="#/hall/${hall3.id}"]`).click();
    check(hash(page) === `#/hall/${hall3.id}`, `the hall link puts ${hall3.id} in the address`);
    check(await poseNear(page, entranceOf(hall3), 3), `and walks to ${hall3.id}'s entrance`);
    check(await page.locator('#minimap .fp-visitor').getAttribute('transform') !== markerAtHall2, 'moving moves the visitor on the minimap');
    const topic = 'cryptography';
    const members = exhibitors.filter((e) => e.topic === topic).length;
    await page.locator(`#directory-list a[href="#/topic/${topic}"]`).click();
    check(hash(page) === `#/topic/${topic}`, 'a topic heading links #/topic/<topic>');
    check(await poseNear(page, zoneEntranceOf(topic), 4), `and walks to the ${topic} zone (${JSON.stringify(await pose(page))})`);
    check(await page.locator('#topic-filter').isVisible(), 'the directory says it shows one topic');
    check(await page.locator('.exhibitor-link').count() === members, `and lists its ${members} exhibitors only`);
    await page.goBack();
    check(hash(page) === `#/hall/${hall3.id}`, 'back returns to the hall link');
    check(await poseNear(page, entranceOf(hall3), 3), 'and to its entrance');
    check(await page.locator('.exhibitor-link').count() === exhibitors.length, 'with the whole directory');
    await page.goForward();
    check(await poseNear(page, zoneEntranceOf(topic), 4), 'forward walks to the topic again');
    check(await page.locator('.exhibitor-link').count() === members, 'and filters the directory again');
    await page.locator('#topic-filter-clear').click();
    check(await page.locator('.exhibitor-link').count() === exhibitors.length, '"Show all" lists everyone again');

    // 2. A click on the minimap walks there: the aisle inside the first hall's doorway.
    const target = [hall1.origin[0] + hall1.entrances[0].x, hall1.origin[1] + 5];
    const at = await minimapPoint(page, target);
    await page.mouse.click(at.x, at.y);
    check(await poseNear(page, target, 2.5), `a click on the minimap walks there (${JSON.stringify(await pose(page))})`);

    // Walking with the keyboard changes the pose the minimap shows.
    const before = await pose(page);
    await page.locator('#hall-canvas').focus();
    await page.keyboard.down('w');
    await page.waitForFunction((was) => {
      const now = window.pavilion.pose;
      return Math.hypot(now.x - was.x, now.z - was.z) > 1;
    }, before, { timeout: WALK_TIMEOUT }).catch(() => {});
    await page.keyboard.up('w');
    const after = await pose(page);
    check(Math.hypot(after.x - before.x, after.z - before.z) > 1, `walking moves the visitor on the map (${JSON.stringify(before)} to ${JSON.stringify(after)})`);
    const box = await page.locator('#minimap').boundingBox();
    writeFileSync(join(artifacts, 'minimap.png'), await page.screenshot({ clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 } }));

    // The minimap can be hidden, and stays hidden on the next visit.
    await page.locator('#minimap-toggle').click();
    check(await page.locator('#minimap-frame').isHidden(), 'the minimap hides');
    await page.reload();
    await page.waitForFunction(() => document.getElementById('minimap-toggle').getAttribute('aria-expanded') === 'false', null, { timeout: 20_000 }).catch(() => {});
    check(await page.locator('#minimap-toggle').getAttribute('aria-expanded') === 'false', 'and is still hidden after a reload');
    await page.locator('#minimap-toggle').click();
    check(await page.locator('#minimap-frame').isVisible(), 'and shows again');

    // 3. One state in both views: a booth opened in 3D is selected on the 2D plan, and a booth
    // opened on the plan is where the 3D visitor stands.
    check(await waitForHall(page), 'the 3D hall is ready again after the reload');
    const first = exhibitors.find((e) => e.slug === 'kestrel-ward') ?? exhibitors[0];
    await page.locator(`.exhibitor-link[data-slug="${first.slug}"]`).click();
    await page.waitForFunction((slug) => document.getElementById('booth-panel').dataset.slug === slug && !document.getElementById('booth-panel').hidden, first.slug, { timeout: WALK_TIMEOUT });
    await page.locator('#view-2d').click();
    check(await page.locator('#plan-view').isVisible(), 'the 2D plan button shows the plan');
    check(await page.locator(`#plan-frame a[data-slug="${first.slug}"]`).getAttribute('aria-current') === 'true', 'the booth open in 3D is selected on the plan');
    await checkAccessibility(page, 'the visitor page in 2D (beside a running 3D hall)');
    const second = exhibitors.find((e) => e.slug !== first.slug && snapshot.halls.find((h) => h.booths.some((b) => b.exhibitor === first.slug)).booths.some((b) => b.exhibitor === e.slug));
    await page.locator(`#plan-frame a[data-slug="${second.slug}"]`).click();
    check(hash(page) === `#/booth/${second.slug}`, `a booth on the plan opens #/booth/${second.slug}`);
    await page.waitForFunction((slug) => document.getElementById('booth-panel').dataset.slug === slug && !document.getElementById('booth-panel').hidden, second.slug, { timeout: WALK_TIMEOUT });
    const placement = snapshot.halls.flatMap((h) => h.booths.map((b) => ({ hall: h, b }))).find(({ b }) => b.exhibitor === second.slug);
    const centre = [placement.hall.origin[0] + placement.b.position[0], placement.hall.origin[1] + placement.b.position[1]];
    await page.locator('#view-3d').click();
    check(await poseNear(page, centre, 10), `and the 3D visitor stands at it (${JSON.stringify(await pose(page))})`);
    check(await page.locator(`#minimap .fp-booth[data-slug="${second.slug}"]`).evaluate((node) => node.classList.contains('fp-selected')), 'the minimap marks it too');
    await page.locator('#panel-close').click();
    await checkAccessibility(page, 'the visitor page in 3D');
    await page.context().close();
  }

  if (only.has('twin')) {
    // 4. Without WebGL the visitor gets the 2D twin, not an error, and can visit by keyboard.
    const page = await openPage(noWebgl);
    await page.goto(base);
    await page.waitForSelector('#plan-frame a.fp-booth', { timeout: 30_000 });
    check(await page.locator('#plan-view').isVisible(), 'without WebGL the floor plan is shown');
    check(await page.locator('#failure').isHidden(), 'and no failure message');
    check(await page.locator('#view-3d').isDisabled(), 'the 3D button is disabled');
    check((await page.locator('#plan-notice').textContent()).includes('WebGL2'), 'and the plan says why');
    const hallBooths = snapshot.halls[0].booths.length;
    check(await page.locator('#plan-frame a.fp-booth').count() === hallBooths, `the plan shows the first hall's ${hallBooths} booths as links`);

    // Keyboard only: the skip link, then Tab to the first booth, Enter opens it.
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.classList.contains('skip-link')), 'the first Tab reaches the skip link');
    await page.keyboard.press('Enter');
    let steps = 0;
    while (steps < 40 && !(await page.evaluate(() => document.activeElement.matches('#plan-frame a.fp-booth')))) {
      await page.keyboard.press('Tab');
      steps += 1;
    }
    const focused = await page.evaluate(() => ({ slug: document.activeElement.dataset.slug, name: document.activeElement.querySelector('title')?.textContent }));
    check(Boolean(focused.slug) && steps <= 12, `after the skip link, ${steps + 1} Tab(s) reach the first booth (${focused.name})`);
    writeFileSync(join(artifacts, 'plan-focus.png'), await page.screenshot());
    await page.keyboard.press('Enter');
    await page.waitForFunction((slug) => document.getElementById('booth-panel').dataset.slug === slug && !document.getElementById('booth-panel').hidden, focused.slug, { timeout: 20_000 });
    check(hash(page) === `#/booth/${focused.slug}`, `Enter opens it and the address follows (${hash(page)})`);
    check(await page.evaluate(() => document.activeElement.id === 'panel-name'), 'the keyboard moves to the booth panel');
    check(await page.locator(`#plan-frame a[data-slug="${focused.slug}"]`).getAttribute('aria-current') === 'true', 'the plan marks the open booth');
    writeFileSync(join(artifacts, 'plan-2d.png'), await page.screenshot());
    await checkAccessibility(page, 'the visitor page without WebGL (2D, booth open)');
    await page.keyboard.press('Escape');
    check(await page.locator('#booth-panel').isHidden(), 'Escape closes the panel');
    check(await page.evaluate((slug) => document.activeElement.dataset.slug === slug, focused.slug), 'and gives the keyboard back to the booth');

    // A hall link on the plan switches hall; a booth in the directory opens on its hall.
    const hall4 = snapshot.halls.at(-1);
    await page.locator(`#plan-halls a[href="#/hall/${hall4.id}"]`).click();
    check(await page.locator(`#plan-halls a[aria-current="true"]`).getAttribute('href') === `#/hall/${hall4.id}`, `the plan's hall link shows ${hall4.id}`);
    await page.goBack();
    check(await page.locator(`#plan-frame a[data-slug="${focused.slug}"]`).count() === 1, 'back returns to the first hall');
    await checkAccessibility(page, 'the visitor page without WebGL (2D)');
    await page.context().close();

    // ?view=2d asks for the plan in a browser that has WebGL: the viewer is not even fetched.
    const chosen = await openPage(browser);
    const fetchedWasm = [];
    chosen.on('request', (request) => { if (request.url().includes('/pkg/')) fetchedWasm.push(request.url()); });
    await chosen.goto(new URL('/?view=2d#/topic/finance', base).href);
    await chosen.waitForSelector('#plan-frame a.fp-booth', { timeout: 30_000 });
    check(fetchedWasm.length === 0, '?view=2d shows the plan without loading the 3D viewer');
    check(await chosen.locator('.fp-zone-active').count() === 1, 'a topic link marks its zone on the plan');
    await chosen.context().close();

    // The plan on a phone: upright, the hall's depth down the screen.
    const phone = await openPage(noWebgl, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await phone.goto(base);
    await phone.waitForSelector('#plan-frame a.fp-booth', { timeout: 30_000 });
    // The plan may be drawn again as the page settles (hall data, layout): measure it once
    // both boxes are there.
    let plan = null;
    let drawn = null;
    for (let tries = 0; tries < 40 && !(plan && drawn); tries += 1) {
      if (tries) await phone.waitForTimeout(250);
      plan = await phone.locator('#plan-frame svg').boundingBox({ timeout: 5_000 }).catch(() => null);
      drawn = await phone.locator('#plan-frame svg > g').boundingBox({ timeout: 5_000 }).catch(() => null);
    }
    check(plan && drawn && drawn.height > drawn.width && plan.x >= 0 && plan.x + plan.width <= 390,
      `the plan stands upright on a phone (${drawn ? `${Math.round(drawn.width)} x ${Math.round(drawn.height)}` : 'not drawn'}; svg ${plan ? `at ${Math.round(plan.x)}, ${Math.round(plan.width)} wide` : 'not visible'})`);
    writeFileSync(join(artifacts, 'phone-plan.png'), await phone.screenshot());
    await phone.context().close();
  }

  if (only.has('touch')) {
    // 6. A phone: thumb stick, finger drags and taps, a panel that fits the screen.
    const page = await openPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });
    await page.goto(base);
    check(await waitForHall(page), 'the 3D hall is ready on a phone');
    await page.waitForFunction(() => window.pavilion.pose, null, { timeout: WALK_TIMEOUT });
    check(await page.locator('#thumb-stick').isVisible(), 'a phone gets the thumb stick');
    check(await page.locator('.controls-hint').isHidden(), 'and no keyboard hints');
    const touch = await page.context().newCDPSession(page);
    const finger = (type, points) => touch.send('Input.dispatchTouchEvent', { type, touchPoints: points });

    // The thumb pushed up walks forward until it lifts.
    const stick = await page.locator('#thumb-stick').boundingBox();
    const centre = { x: stick.x + stick.width / 2, y: stick.y + stick.height / 2 };
    const before = await pose(page);
    await finger('touchStart', [{ x: centre.x, y: centre.y }]);
    await finger('touchMove', [{ x: centre.x, y: centre.y - 40 }]);
    await page.waitForFunction((was) => {
      const now = window.pavilion.pose;
      return Math.hypot(now.x - was.x, now.z - was.z) > 1.5;
    }, before, { timeout: WALK_TIMEOUT }).catch(() => {});
    await finger('touchEnd', []);
    const walked = await pose(page);
    const ahead = [-Math.sin(before.heading), -Math.cos(before.heading)];
    const along = (walked.x - before.x) * ahead[0] + (walked.z - before.z) * ahead[1];
    check(along > 1.5, `the thumb stick walks the visitor forward (${along.toFixed(2)} m)`);
    await page.waitForTimeout(1500);
    const settled = await pose(page);
    await page.waitForTimeout(2500);
    const still = await pose(page);
    check(Math.hypot(still.x - settled.x, still.z - settled.z) < 0.05, 'and lifting the thumb stops them');

    // A finger dragged across the hall turns the view.
    const canvas = await page.locator('#hall-canvas').boundingBox();
    const middle = { x: canvas.x + canvas.width / 2, y: canvas.y + canvas.height / 2 };
    await finger('touchStart', [middle]);
    for (let step = 1; step <= 5; step += 1) await finger('touchMove', [{ x: middle.x - step * 20, y: middle.y }]);
    await finger('touchEnd', []);
    const turned = await page.waitForFunction((was) => Math.abs(window.pavilion.pose.heading - was) > 0.2, still.heading, { timeout: WALK_TIMEOUT })
      .then(() => true, () => false);
    check(turned, `a finger dragged to the left turns the view (${still.heading} to ${(await pose(page)).heading})`);
    writeFileSync(join(artifacts, 'phone-hall.png'), await page.screenshot());

    // A tap on the booth in front of the visitor opens it.
    const booth = exhibitors.find((e) => e.slug === 'kestrel-ward') ?? exhibitors[0];
    await page.evaluate((slug) => window.pavilion.focusBooth(slug), booth.slug);
    await page.waitForFunction((slug) => document.getElementById('booth-panel').dataset.slug === slug && !document.getElementById('booth-panel').hidden, booth.slug, { timeout: WALK_TIMEOUT });
    await page.locator('#panel-close').tap();
    await page.waitForTimeout(4000);
    // The upper part of the canvas: the panel covers the lower part once open, not now.
    await page.touchscreen.tap(middle.x, canvas.y + canvas.height * 0.45);
    const tapped = await page.waitForFunction((slug) => !document.getElementById('booth-panel').hidden
      && document.getElementById('booth-panel').dataset.slug === slug, booth.slug, { timeout: WALK_TIMEOUT }).then(() => true, () => false);
    check(tapped, `a tap on the booth opens it (${await page.evaluate(() => document.getElementById('booth-panel').dataset.slug)})`);
    check(hash(page) === `#/booth/${booth.slug}`, 'and puts it in the address');
    const panel = await page.locator('#booth-panel').boundingBox();
    check(panel.x >= 0 && panel.y >= 0 && panel.x + panel.width <= 390 && panel.y + panel.height <= 844,
      `the panel fits the phone's screen (${JSON.stringify(panel)})`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    check(overflow <= 390, `nothing is wider than the phone (${overflow} px)`);
    await page.waitForTimeout(1000);
    writeFileSync(join(artifacts, 'phone-booth.png'), await page.screenshot());

    // The directory slides in from the Exhibitors button, and steps aside for the hall.
    check(await page.locator('#directory').isHidden(), 'on a phone the directory waits behind a button');
    await page.locator('#directory-toggle').tap();
    check(await page.locator('#directory').isVisible() && (await page.locator('#directory-toggle').getAttribute('aria-expanded')) === 'true', 'the Exhibitors button opens it');
    const drawer = await page.locator('#directory').boundingBox();
    check(drawer.x >= 0 && drawer.x + drawer.width <= 390, 'and it fits the screen');
    writeFileSync(join(artifacts, 'phone-directory.png'), await page.screenshot());
    await page.locator('#directory-toggle').tap();
    check(await page.locator('#directory').isHidden(), 'and closes it again');

    // A tap on open floor walks there.
    await page.locator('#panel-close').tap();
    await page.waitForTimeout(1500);
    const standing = await pose(page);
    await finger('touchStart', [middle]);
    for (let step = 1; step <= 8; step += 1) await finger('touchMove', [{ x: middle.x + step * 40, y: middle.y }]);
    await finger('touchEnd', []);
    await page.waitForFunction((was) => Math.abs(window.pavilion.pose.heading - was) > 0.5, standing.heading, { timeout: WALK_TIMEOUT }).catch(() => {});
    await page.waitForTimeout(2000);
    const facing = await pose(page);
    await page.touchscreen.tap(middle.x, canvas.y + canvas.height * 0.8);
    const moved = await page.waitForFunction((was) => Math.hypot(window.pavilion.pose.x - was.x, window.pavilion.pose.z - was.z) > 1, facing, { timeout: WALK_TIMEOUT })
      .then(() => true, () => false);
    check(moved, `a tap on the floor walks there (${JSON.stringify(facing)} to ${JSON.stringify(await pose(page))})`);
    await page.context().close();
  }

  if (only.has('a11y')) {
    // 5. axe-core on the other pages.
    const page = await openPage(browser);
    for (const path of ['/portal.html', '/staff.html', '/api.html']) {
      await page.goto(new URL(path, base).href);
      await page.waitForLoadState('networkidle');
      await checkAccessibility(page, path);
    }
    const token = process.env.PAVILION_EXHIBITOR_TOKEN;
    if (token) {
      await page.goto(new URL('/portal.html', base).href);
      await page.fill('#token', token);
      await page.click('#sign-in-form button[type="submit"]');
      await page.waitForFunction(() => document.body.dataset.state === 'signed-in', null, { timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      await checkAccessibility(page, '/portal.html signed in');
    }
    const [staffName, staffPassword] = [process.env.PAVILION_STAFF_NAME, process.env.PAVILION_STAFF_PASSWORD];
    if (staffName && staffPassword) {
      await page.goto(new URL('/staff.html', base).href);
      await page.fill('#sign-in-name', staffName);
      await page.fill('#sign-in-password', staffPassword);
      await page.click('#sign-in button[type=submit]');
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      await checkAccessibility(page, '/staff.html signed in');
    }
    await page.context().close();
  }

  check(pageErrors.length === 0, `no uncaught page errors ${pageErrors.join(' | ')}`);
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy ${cspViolations.join(' | ')}`);
} finally {
  await browser.close();
  await noWebgl.close();
}

if (failures.length) {
  console.log(`\n${failures.length} tour check(s) failed`);
  process.exit(1);
}
console.log('\nall tour checks passed');
process.exit(0);
