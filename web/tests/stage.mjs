// Browser test of the stages in the hall (issue 13): the server's programme clock stands five
// minutes into the seed week's first keynote (cargo xtask e2e starts a server of its own with
// PAVILION_CLOCK for this test). A link to `#/stage/main-hall` walks the visitor into the main
// stage's audience; the stage's big screen is the server's live sign naming the session on now;
// a click on the screen opens the stage panel; the keynote's recording plays there as a
// premiere from the minute the session has reached (fetched with Range); a stage whose next
// session is later counts down to it; the contest desk opens the contest; and the agenda's link
// to a session's stage walks to that stage. Saves screenshots; checks the panel with axe-core.
//
// Needs PAVILION_URL (cargo xtask e2e).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium,
  seriousAccessibilityProblems, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
if (!base) throw new Error('set PAVILION_URL');
const artifacts = artifactsDir();
const READY_TIMEOUT = 300_000;
const WALK_TIMEOUT = 90_000;

const json = async (path) => (await fetch(new URL(path, base))).json();
const hall = await json('/api/v1/hall');
const programme = await json('/api/v1/programme');
const nowAtStart = await json('/api/v1/programme/now');
const mainNow = nowAtStart.stages.find((s) => s.stage === 'main-hall')?.now;
if (!mainNow) throw new Error(`nothing is on the main stage at ${nowAtStart.now}: is PAVILION_CLOCK set?`);

const areas = hall.halls.flatMap((h) => (h.stages ?? []).map((area) => ({ hall: h, area })));
const stageOf = (id) => areas.find(({ area }) => area.stage === id);
check(areas.length >= programme.stages.length + 1, `the published hall has a stage area for each of the ${programme.stages.length} stages and the contest desk (${areas.length})`);
const main = stageOf('main-hall');
check(main?.area.name === programme.stages.find((s) => s.id === 'main-hall').name, 'the main stage carries its name from the programme');
check(main?.area.screen_url === '/api/v1/programme/stages/main-hall/screen.png', 'and its live screen');
check(stageOf('contest')?.area.kind === 'contest', 'the contest desk stands in the hall');

/** Where the page stands a visitor for a stage (as stage-panel.js: behind the benches on the centre aisle, facing it). */
function viewpoint({ hall: h, area }) {
  const fronts = [[0, -1], [-1, 0], [0, 1], [1, 0]];
  const [fx, fz] = fronts[area.rotation % 4];
  const out = area.footprint.depth / 2 + (area.kind === 'contest' ? 3 : 7.5);
  return [h.origin[0] + area.position[0] + fx * out, h.origin[1] + area.position[1] + fz * out];
}

function poseNear(page, [x, z], within) {
  return page.waitForFunction(([px, pz, w]) => {
    const pose = window.pavilion.pose;
    return pose && Math.hypot(pose.x - px, pose.z - pz) <= w;
  }, [x, z, within], { timeout: WALK_TIMEOUT }).then(() => true, () => false);
}

/** When `session` starts, in milliseconds since the epoch. */
function sessionStart(session) {
  const [y, m, d] = session.day.split('-').map(Number);
  const [hh, mm] = session.start.split(':').map(Number);
  return Date.UTC(y, m - 1, d, hh, mm) - programme.week.utc_offset_minutes * 60_000;
}

/** Seconds into `session` by the server's programme clock now. */
async function secondsIntoSession(session) {
  const now = await json('/api/v1/programme/now');
  return (Date.parse(now.now) - sessionStart(session)) / 1000;
}

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await enforceContentSecurityPolicy(context);
  const page = await context.newPage();
  const cspViolations = watchContentSecurityPolicy(page);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const screens = [];
  const recordings = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.endsWith('/screen.png')) {
      screens.push({ path: url.pathname, status: response.status(), session: response.headers()['x-pavilion-session'] ?? null });
    }
    if (url.pathname === mainNow.recording_url) {
      recordings.push({ status: response.status(), range: response.request().headers().range ?? null });
    }
  });

  // 1. The deep link walks into the main stage's audience; its screen shows the keynote.
  await page.goto(new URL('/#/stage/main-hall', base).href);
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: READY_TIMEOUT });
  check(await page.evaluate(() => document.body.dataset.state) === 'ready', 'the hall is ready');
  check(await poseNear(page, viewpoint(main), 2), `#/stage/main-hall walks to the main stage (${JSON.stringify(await page.evaluate(() => window.pavilion.pose))})`);
  await page.waitForFunction(() => document.body.dataset.textures, null, { timeout: WALK_TIMEOUT }).catch(() => {});
  await page.waitForTimeout(1500);
  const mainScreen = screens.find((s) => s.path === '/api/v1/programme/stages/main-hall/screen.png' && s.status === 200);
  check(mainScreen, `the viewer fetched the main stage's screen (${JSON.stringify(screens)})`);
  check(mainScreen?.session === mainNow.id, `the screen shows the session on now, ${mainNow.id} (it says ${mainScreen?.session})`);
  writeFileSync(join(artifacts, 'stage-screen.png'), await page.screenshot());

  // 2. The panel the link opened: on now, with the premiere at the right offset.
  const panel = page.locator('#stage-panel');
  await panel.locator(`[data-session="${mainNow.id}"]`).first().waitFor({ timeout: 20_000 });
  check(await panel.isVisible(), 'the stage panel is open');
  check((await page.locator('#stage-panel-name').textContent()).includes('Main Hall'), 'it names the stage');
  check((await panel.locator('.stage-session h3').first().textContent()) === 'On now', 'and says what is on now');
  check((await panel.locator('.stage-session h4').first().textContent()) === mainNow.title, `the keynote: ${mainNow.title}`);
  const video = panel.locator('video.session-video').first();
  await page.waitForFunction(() => document.querySelector('#stage-panel video.session-video')?.dataset.joinedAt, null, { timeout: 30_000 }).catch(() => {});
  check(await video.getAttribute('data-premiere') === 'true', 'the recording plays as a premiere');
  const joined = await video.evaluate((v) => ({ at: Number(v.dataset.joinedAt), clock: Number(v.dataset.joinedClock), now: v.currentTime }));
  const atJoin = (joined.clock - sessionStart(mainNow)) / 1000;
  check(Math.abs(joined.at - atJoin) <= 2, `joining late starts at the session's minute: ${joined.at.toFixed(1)} s into the recording, ${atJoin.toFixed(1)} s into the session by the programme clock`);
  check(atJoin > 240, 'which is minutes in, not the start');
  const serverNow = Date.parse((await json('/api/v1/programme/now')).now);
  check(joined.clock <= serverNow + 2000 && joined.clock >= serverNow - 300_000, `the page's programme clock is the server's (joined at ${new Date(joined.clock).toISOString()}, server now ${new Date(serverNow).toISOString()})`);
  // Played minutes after the panel opened (the hall was loading meanwhile), it plays from the room's minute.
  await video.evaluate((v) => { v.muted = true; return v.play(); });
  await page.waitForFunction(() => {
    const v = document.querySelector('#stage-panel video.session-video');
    return v && !v.paused && v.readyState >= 3;
  }, null, { timeout: 30_000 }).catch(() => {});
  await page.waitForTimeout(2000);
  const playingAt = await video.evaluate((v) => v.currentTime);
  const expected = await secondsIntoSession(mainNow);
  check(Math.abs(playingAt - expected) <= 8, `played later, it plays from the room's minute: ${playingAt.toFixed(1)} s into the recording, ${expected.toFixed(1)} s into the session`);
  check(recordings.some((r) => r.status === 206), `the recording is fetched in ranges (${JSON.stringify(recordings.slice(0, 3))})`);
  writeFileSync(join(artifacts, 'stage-premiere.png'), await page.screenshot());
  const problems = await seriousAccessibilityProblems(page);
  check(problems.length === 0, `no serious accessibility problem with the stage panel open${problems.length ? `:\n  ${problems.join('\n  ')}` : ''}`);

  // 3. Closing it, then clicking the stage's screen in the 3D view, opens it again.
  await page.click('#stage-panel-close');
  check(await panel.isHidden(), 'the close button closes the panel');
  check(!(await page.evaluate(() => location.hash)).startsWith('#/stage/'), 'and leaves the stage address');
  const box = await page.locator('#hall-canvas').boundingBox();
  // As a person clicks: the pointer rests over the screen for a frame or two, then presses.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForTimeout(1500);
  await page.mouse.down();
  await page.waitForTimeout(400);
  await page.mouse.up();
  await page.waitForFunction(() => !document.getElementById('stage-panel').hidden, null, { timeout: 20_000 }).catch(() => {});
  check(await panel.isVisible(), 'a click on the stage screen opens the stage panel');
  check(await page.evaluate(() => location.hash) === '#/stage/main-hall', `and puts the stage in the address (${await page.evaluate(() => location.hash)})`);

  // 4. A stage whose next session is later in the day counts down to it.
  const waiting = nowAtStart.stages.find((s) => !s.now && s.next && stageOf(s.stage));
  check(waiting, 'some stage has nothing on now and a session later');
  if (waiting) {
    await page.evaluate((id) => { location.hash = `#/stage/${id}`; }, waiting.stage);
    await panel.locator(`[data-session="${waiting.next.id}"]`).first().waitFor({ timeout: 20_000 });
    const countdown = panel.locator('.countdown-time').first();
    const first = await countdown.textContent();
    await page.waitForTimeout(2100);
    const later = await countdown.textContent();
    check(/\d/.test(first) && first !== later, `the panel of ${waiting.stage} counts down to ${waiting.next.id}: "${first}", then "${later}"`);
    check(await poseNear(page, viewpoint(stageOf(waiting.stage)), 2.5), `and the visitor walks to ${waiting.stage}`);
    writeFileSync(join(artifacts, 'stage-countdown.png'), await page.screenshot());
  }

  // 5. The contest desk opens the contest.
  await page.evaluate(() => { location.hash = '#/stage/contest'; });
  await page.locator('#stage-contest-link').waitFor({ timeout: 20_000 });
  check(await page.locator('#stage-contest-link').getAttribute('href') === '/contest.html', 'the contest desk links to the contest');
  check(await poseNear(page, viewpoint(stageOf('contest')), 2.5), 'and the visitor walks to the desk');
  writeFileSync(join(artifacts, 'stage-contest.png'), await page.screenshot());

  // 6. The agenda's link to a session's stage walks there.
  const other = programme.sessions.find((s) => s.stage === 'room-b');
  await page.goto(new URL(`/agenda.html#/session/${other.id}`, base).href);
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  await page.locator(`#session-${other.id} a.stage-link`).click();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: READY_TIMEOUT });
  check(await page.evaluate(() => location.hash) === '#/stage/room-b', 'the agenda links to #/stage/room-b');
  check(await poseNear(page, viewpoint(stageOf('room-b')), 2), `and the hall walks the visitor to room B (${JSON.stringify(await page.evaluate(() => window.pavilion.pose))})`);
  await page.waitForFunction(() => document.getElementById('stage-panel').dataset.stage === 'room-b' && !document.getElementById('stage-panel').hidden, null, { timeout: 20_000 }).catch(() => {});
  check(await panel.isVisible(), 'with its stage panel open');

  check(cspViolations.length === 0, `no Content-Security-Policy violations (${cspViolations.join('; ')})`);
  check(pageErrors.length === 0, `no page errors (${pageErrors.join('; ')})`);
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(`stage.mjs: ${failures.length} failed`);
  process.exit(1);
}
console.log('stage.mjs: all passed');
