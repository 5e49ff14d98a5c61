// Browser test of the booth panel's media and the visitor's own lists, on the 2D plan (no 3D
// hall needed): an exhibitor uploads a short WebM video (recorded in the browser from a canvas),
// submits, staff approve and publish; the panel plays it (the request carries a Range header
// and is answered 206), the gallery moves with the arrow keys and opens larger, the brochure
// link names its type and size, the model turntable draws the booth's GLB and turns on a drag,
// a key and a finger, and says so when the browser has no WebGL2; visited marks and saved
// booths survive a reload, stay in localStorage and never reach the server. At phone size with
// touch the panel fits the screen; axe-core finds nothing serious. Saves screenshots.
//
// Env: PAVILION_URL, PAVILION_EXHIBITOR_TOKEN (kestrel-ward's), PAVILION_STAFF_NAME and
// PAVILION_STAFF_PASSWORD (required), PAVILION_ARTIFACTS (screenshots; default ./e2e-output).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium, seriousAccessibilityProblems,
  watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
const exhibitorToken = process.env.PAVILION_EXHIBITOR_TOKEN;
const staffName = process.env.PAVILION_STAFF_NAME;
const staffPassword = process.env.PAVILION_STAFF_PASSWORD;
if (!base || !exhibitorToken || !staffName || !staffPassword) {
  throw new Error('set PAVILION_URL, PAVILION_EXHIBITOR_TOKEN, PAVILION_STAFF_NAME and PAVILION_STAFF_PASSWORD');
}
const artifacts = artifactsDir();
const VIDEO_BOOTH = 'kestrel-ward';

async function call(method, path, { token, body, type } = {}) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(type ? { 'content-type': type } : {}) },
    body,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(data)}`);
  return data;
}

/** A two-second WebM clip, recorded by Chromium from an animated canvas (no audio track). */
async function recordVideo(browser) {
  const page = await browser.newPage();
  const bytes = await page.evaluate(async () => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
    document.body.append(canvas);
    const context = canvas.getContext('2d');
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm;codecs=vp8' });
    const chunks = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start(200);
    const started = performance.now();
    await new Promise((resolve) => {
      const frame = (now) => {
        const t = (now - started) / 1000;
        context.fillStyle = `hsl(${(t * 120) % 360} 70% 45%)`;
        context.fillRect(0, 0, 320, 180);
        context.fillStyle = '#fff';
        context.font = '28px sans-serif';
        context.fillText(`Kestrel Ward ${t.toFixed(1)} s`, 20, 100);
        if (t < 2.2) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    recorder.stop();
    await stopped;
    return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
  });
  await page.close();
  return Buffer.from(bytes);
}

/**
 * Publishes `video` as the booth's video: upload, submit, approve, publish. Returns its URL.
 * An approval publishes the draft's media only, and the catalogue's files are not in the draft,
 * so the booth's published pictures and brochure are uploaded again first, with their titles.
 */
async function publishVideo(video) {
  const current = await call('GET', `/api/v1/exhibitors/${VIDEO_BOOTH}`);
  const drafted = new Set((await call('GET', '/api/v1/me/media', { token: exhibitorToken })).map((item) => item.sha256));
  for (const item of current.media.filter((m) => m.kind !== 'video' && !drafted.has(m.sha256))) {
    const bytes = Buffer.from(await (await fetch(new URL(item.url, base))).arrayBuffer());
    await call('POST', `/api/v1/me/media?title=${encodeURIComponent(item.title)}`, { token: exhibitorToken, body: bytes, type: item.content_type });
  }
  const uploaded = await call('POST', `/api/v1/me/media?title=${encodeURIComponent('Kestrel Ward in two seconds')}`, {
    token: exhibitorToken, body: video, type: 'video/webm',
  });
  const submission = await call('POST', '/api/v1/me/submission', { token: exhibitorToken });
  const { token: staff } = await call('POST', '/api/v1/staff/sessions', {
    body: JSON.stringify({ name: staffName, password: staffPassword }), type: 'application/json',
  });
  await call('POST', `/api/v1/staff/submissions/${submission.id}/approve`, { token: staff });
  await call('POST', '/api/v1/staff/publish', { token: staff });
  return uploaded.url ?? `/media/${uploaded.sha256}.webm`;
}

/** Counts the pixels of a PNG screenshot that differ from `background` (decoded in a blank page). */
async function pixelsApartFrom(decoder, png, background) {
  return decoder.evaluate(async ({ data, background: [r, g, b] }) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: image.width, height: image.height });
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let apart = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) > 30) apart += 1;
    }
    return { apart, total: pixels.length / 4 };
  }, { data: png.toString('base64'), background });
}

/** The model turntable's clear colour (0.93, 0.95, 0.97) as sRGB bytes. */
const MODEL_BACKGROUND = [237, 242, 247];

async function openBooth(page, slug) {
  await page.goto(new URL(`/?view=2d#/booth/${slug}`, base).href);
  await page.waitForFunction((s) => document.getElementById('booth-panel').dataset.slug === s
    && !document.getElementById('booth-panel').hidden, slug, { timeout: 60_000 });
}

const browser = await launchChromium();
try {
  const video = await recordVideo(browser);
  check(video.length > 1000 && video.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])), `Chromium recorded a WebM clip (${video.length} bytes)`);
  const videoUrl = await publishVideo(video);
  const detail = await (await fetch(new URL(`/api/v1/exhibitors/${VIDEO_BOOTH}`, base))).json();
  const published = detail.media.find((item) => item.kind === 'video');
  check(published?.url === videoUrl, `the booth's published media has the video (${published?.url})`);
  const images = detail.media.filter((item) => item.kind === 'image');
  check(images.length >= 2, `the booth still has its ${images.length} pictures`);
  const exhibitors = await (await fetch(new URL('/api/v1/exhibitors', base))).json();
  const withModel = exhibitors.find((e) => e.model_url && e.slug !== VIDEO_BOOTH);
  const modelDetail = await (await fetch(new URL(`/api/v1/exhibitors/${withModel.slug}`, base))).json();

  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await enforceContentSecurityPolicy(context);
  const page = await context.newPage();
  const cspViolations = watchContentSecurityPolicy(page);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const requested = [];
  const videoAnswers = [];
  const events = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    requested.push(url.pathname);
    if (url.pathname === '/api/v1/events') events.push(request.postData() ?? '');
  });
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname !== videoUrl) return;
    videoAnswers.push({ status: response.status(), range: (await response.request().allHeaders()).range ?? null });
  });
  const decoder = await browser.newPage();

  // 1. The video: a player with controls that does not start by itself, served by ranges.
  await openBooth(page, VIDEO_BOOTH);
  const player = page.locator('#panel-media video.booth-video');
  check((await player.count()) === 1, 'the panel has a video player');
  const attributes = await player.evaluate((v) => ({ controls: v.controls, autoplay: v.autoplay, paused: v.paused, label: v.getAttribute('aria-label') }));
  check(attributes.controls && !attributes.autoplay && attributes.paused, `with controls, not playing by itself (${JSON.stringify(attributes)})`);
  check(attributes.label === published.title, `the player is named by the video's title (${attributes.label})`);
  await player.scrollIntoViewIfNeeded();
  await player.click();
  let playing = await page.waitForFunction(() => {
    const v = document.querySelector('#panel-media video');
    return !v.paused && v.currentTime > 0.3;
  }, null, { timeout: 20_000 }).then(() => true, () => false);
  if (!playing) {
    // The click may have landed on a control that paused it again: press its play button by keyboard.
    await player.focus();
    await page.keyboard.press('k');
    playing = await page.waitForFunction(() => !document.querySelector('#panel-media video').paused
      && document.querySelector('#panel-media video').currentTime > 0.3, null, { timeout: 20_000 }).then(() => true, () => false);
  }
  check(playing, 'the video plays');
  check(videoAnswers.length > 0 && videoAnswers.every((a) => a.status === 206 && /^bytes=\d+-\d*$/.test(a.range ?? '')),
    `every request for the video asked for a range and got 206 partial content: ${JSON.stringify(videoAnswers.slice(0, 4))}`);
  writeFileSync(join(artifacts, 'panel-video.png'), await page.screenshot());
  await page.evaluate(() => document.querySelector('#panel-media video').pause());
  check(!requested.includes('/model-viewer.js'), 'a booth without a model does not load the model viewer');

  // 2. The gallery: one tab stop, arrow keys between thumbnails, Enter opens the larger view.
  const thumbs = page.locator('#panel-media .gallery .thumb');
  check((await thumbs.count()) === images.length, `the gallery shows ${images.length} thumbnails`);
  const alts = await page.locator('#panel-media .gallery .thumb img').evaluateAll((imgs) => imgs.map((img) => img.alt));
  check(JSON.stringify(alts) === JSON.stringify(images.map((i) => i.title)), `thumbnails carry the titles as alt text (${alts.join(', ')})`);
  check((await page.locator('#panel-media .gallery .thumb[tabindex="0"]').count()) === 1, 'the gallery is one tab stop');
  await thumbs.first().focus();
  await page.keyboard.press('ArrowRight');
  check(await page.evaluate(() => document.activeElement.dataset.index) === '1', 'ArrowRight moves to the second thumbnail');
  await page.keyboard.press('End');
  check(await page.evaluate((n) => document.activeElement.dataset.index === String(n - 1), images.length), 'End moves to the last');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  const opened = await page.waitForFunction(() => document.getElementById('picture-viewer')?.open
    && document.querySelector('#picture-viewer img').complete && document.querySelector('#picture-viewer img').naturalWidth > 0,
  null, { timeout: 20_000 }).then(() => true, () => false);
  check(opened, 'Enter opens the picture larger');
  const shownAlt = () => page.evaluate(() => document.querySelector('#picture-viewer img').alt);
  check(await shownAlt() === images[1].title, `the larger view shows picture 2 (${await shownAlt()})`);
  writeFileSync(join(artifacts, 'panel-gallery.png'), await page.screenshot());
  await page.keyboard.press('ArrowRight');
  check(await shownAlt() === images[2 % images.length].title, 'ArrowRight shows the next picture');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  check(await shownAlt() === images[0].title, 'ArrowLeft goes back');
  check((await page.locator('#picture-viewer .picture-count').textContent()) === `1 of ${images.length}`, 'the larger view counts the pictures');
  await page.keyboard.press('Escape');
  check(!(await page.evaluate(() => document.getElementById('picture-viewer').open)), 'Escape closes the larger view');
  // The dialog's close event (which moves the keyboard) comes a task after the key.
  const backOnThumb = await page.waitForFunction(() => document.activeElement.dataset.index === '0', null, { timeout: 3000 }).then(() => true, () => false);
  check(backOnThumb, 'and the keyboard is back on the picture it showed');
  check(await page.locator('#booth-panel').isVisible(), 'the booth panel stays open');

  // 3. The brochure: a download link with its type and size, to the PDF.
  const brochure = detail.media.find((item) => item.kind === 'brochure');
  const link = page.locator('#panel-media .brochure-link');
  check((await link.getAttribute('href')) === brochure.url, `the brochure link goes to ${brochure.url}`);
  const linkText = await link.textContent();
  check(/PDF, \d+ KB/.test(linkText), `the link names its type and size (${linkText})`);
  const pdf = await fetch(new URL(brochure.url, base));
  check(pdf.status === 200 && pdf.headers.get('content-type') === 'application/pdf', `the brochure is served as a PDF (${pdf.status})`);
  await link.evaluate((a) => a.addEventListener('click', (event) => event.preventDefault(), { once: true }));
  await link.click();

  // Analytics still counts the play and the brochure (and nothing about saved booths).
  await page.evaluate(async () => (await import('/analytics.js')).flush());
  await page.waitForTimeout(500);
  const sent = events.flatMap((body) => JSON.parse(body).events);
  check(sent.some((e) => e.booth === VIDEO_BOOTH && e.kind === 'media_play'), 'the video play is reported');
  check(sent.some((e) => e.booth === VIDEO_BOOTH && e.kind === 'brochure_download'), 'the brochure download is reported');

  // 4. The model: loaded when it is shown, drawn, turned by a drag and by the arrow keys.
  await page.click('#directory-list .exhibitor-link[data-slug="' + withModel.slug + '"]');
  await page.waitForFunction((s) => document.getElementById('booth-panel').dataset.slug === s, withModel.slug);
  const canvas = page.locator('#panel-media canvas.model-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const drawn = await page.waitForFunction(() => document.querySelector('#panel-media canvas.model-canvas')?.dataset.ready === 'true', null, { timeout: 60_000 })
    .then(() => true, () => false);
  check(drawn, `the turntable draws ${withModel.slug}'s model`);
  check(requested.includes('/model-viewer.js') && requested.includes(withModel.model_url), 'the model viewer and the GLB were fetched for it');
  await page.waitForTimeout(300);
  const first = await canvas.screenshot();
  const { apart, total } = await pixelsApartFrom(decoder, first, MODEL_BACKGROUND);
  check(apart > total * 0.03, `the model covers part of the canvas (${apart} of ${total} pixels)`);
  const box = await canvas.boundingBox();
  const yaw = () => canvas.evaluate((c) => Number(c.dataset.yaw));
  const yawBefore = await yaw();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let step = 1; step <= 6; step += 1) await page.mouse.move(box.x + box.width / 2 + step * 25, box.y + box.height / 2);
  await page.mouse.up();
  await page.waitForTimeout(300);
  const turned = await canvas.screenshot();
  check(Math.abs((await yaw()) - yawBefore) > 1 && !turned.equals(first), `a drag turns the model (yaw ${yawBefore} -> ${await yaw()})`);
  writeFileSync(join(artifacts, 'panel-model.png'), await page.screenshot());
  await canvas.focus();
  const yawKeys = await yaw();
  await page.keyboard.press('ArrowLeft');
  await page.waitForTimeout(200);
  check(Math.abs((await yaw()) - yawKeys) > 0.2, 'ArrowLeft turns it as well');
  check(await page.locator('#booth-panel').isVisible(), 'and the arrow keys leave the panel open');
  const zoomBefore = await canvas.screenshot();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(300);
  check(!(await canvas.screenshot()).equals(zoomBefore), 'the wheel zooms');
  check((await page.locator('#panel-media .model-note').count()) === 1, 'the panel says how to turn the model');

  // 5. Visited and saved: a star in the panel, a list in the directory, both kept after a reload.
  const visitedNow = await page.locator('#directory-list .exhibitor-link.is-visited').evaluateAll((b) => b.map((x) => x.dataset.slug));
  check(visitedNow.includes(VIDEO_BOOTH) && visitedNow.includes(withModel.slug), `the directory marks the booths visited (${visitedNow.join(', ')})`);
  const save = page.locator('#panel-save');
  check((await save.getAttribute('aria-pressed')) === 'false', 'the save button starts unpressed');
  await save.click();
  check((await save.getAttribute('aria-pressed')) === 'true', 'and is pressed once saved');
  await page.click(`#directory-list .exhibitor-link[data-slug="${VIDEO_BOOTH}"]`);
  await page.waitForFunction((s) => document.getElementById('booth-panel').dataset.slug === s, VIDEO_BOOTH);
  await save.click();
  const savedNames = () => page.locator('#saved-list .saved-link').allTextContents();
  check(JSON.stringify(await savedNames()) === JSON.stringify([detail.name, modelDetail.name]), `the saved list shows both, newest first (${await savedNames()})`);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('#directory-list .exhibitor-link').length > 0);
  await page.waitForFunction(() => document.querySelectorAll('#plan-frame .fp-booth').length > 0);
  check(JSON.stringify(await savedNames()) === JSON.stringify([detail.name, modelDetail.name]), 'the saved list survives a reload');
  const visitedAfter = await page.locator('#directory-list .exhibitor-link.is-visited').evaluateAll((b) => b.map((x) => x.dataset.slug));
  check(visitedAfter.includes(VIDEO_BOOTH) && visitedAfter.includes(withModel.slug), 'so do the visited marks');
  check((await page.locator(`#plan-frame .fp-booth.is-visited[data-slug="${VIDEO_BOOTH}"]`).count()) === 1, 'the 2D plan marks the visited booth');
  const planName = await page.locator(`#plan-frame a.fp-booth[data-slug="${VIDEO_BOOTH}"] > title`).textContent();
  check(planName.endsWith('(visited)'), `and names it so (${planName})`);
  check((await page.locator(`#directory-list .exhibitor-link[data-slug="${VIDEO_BOOTH}"]`).textContent()).includes('(visited)'), 'screen readers hear "visited" on the directory button');
  writeFileSync(join(artifacts, 'panel-saved.png'), await page.screenshot());
  await page.click(`#saved-list button[aria-label="Remove ${detail.name} from saved booths"]`);
  check(JSON.stringify(await savedNames()) === JSON.stringify([modelDetail.name]), 'a saved booth can be removed');
  await page.click('#saved-list .saved-link');
  await page.waitForFunction((s) => document.getElementById('booth-panel').dataset.slug === s, withModel.slug);
  check(true, 'a saved booth is a link that opens it');
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('#directory-list .exhibitor-link').length > 0);
  check(JSON.stringify(await savedNames()) === JSON.stringify([modelDetail.name]), 'the removal is kept');
  const stored = await page.evaluate(() => Object.keys(localStorage).sort());
  check(stored.every((key) => ['pavilion.saved', 'pavilion.visited', 'pavilion.view', 'pavilion.minimap'].includes(key)), `only the visitor's own lists are stored (${stored.join(', ')})`);
  await page.evaluate(async () => (await import('/analytics.js')).flush());
  check(events.every((body) => !body.includes('saved') && !body.includes('visited')), 'the lists never go to the server');

  // 6. Accessibility of the open panel with all its media.
  await page.locator('#panel-media canvas.model-canvas').scrollIntoViewIfNeeded();
  const problems = await seriousAccessibilityProblems(page);
  check(problems.length === 0, `axe-core finds no serious problem in the panel${problems.length ? `: ${problems.join('; ')}` : ''}`);
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy${cspViolations.length ? `: ${cspViolations[0]}` : ''}`);
  check(pageErrors.length === 0, `no page errors${pageErrors.length ? `: ${pageErrors.join('; ')}` : ''}`);
  await context.close();

  // 7. A phone with touch: the panel fits, a finger turns the model.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await enforceContentSecurityPolicy(phone);
  const mobile = await phone.newPage();
  await openBooth(mobile, VIDEO_BOOTH);
  const panel = await mobile.locator('#booth-panel').boundingBox();
  check(panel.x >= 0 && panel.y >= 0 && panel.x + panel.width <= 390 && panel.y + panel.height <= 844, `the panel fits the phone screen (${JSON.stringify(panel)})`);
  const videoBox = await mobile.locator('#panel-media video').boundingBox();
  check(videoBox.width <= panel.width, `the video fits the panel (${Math.round(videoBox.width)} px)`);
  writeFileSync(join(artifacts, 'panel-phone-video.png'), await mobile.screenshot());
  await mobile.locator('#panel-media .gallery .thumb').nth(1).tap();
  await mobile.waitForFunction(() => document.getElementById('picture-viewer')?.open);
  await mobile.waitForTimeout(300);
  writeFileSync(join(artifacts, 'panel-phone-gallery.png'), await mobile.screenshot());
  await mobile.locator('#picture-viewer .picture-step[aria-label="Next picture"]').tap();
  check(await mobile.evaluate(() => document.querySelector('#picture-viewer img').alt) === images[2 % images.length].title, 'a tap on "next" shows the next picture');
  await mobile.locator('#picture-viewer .panel-close').tap();
  await openBooth(mobile, withModel.slug);
  const phoneCanvas = mobile.locator('#panel-media canvas.model-canvas');
  await phoneCanvas.scrollIntoViewIfNeeded();
  await mobile.waitForFunction(() => document.querySelector('#panel-media canvas.model-canvas')?.dataset.ready === 'true', null, { timeout: 60_000 });
  const touchBox = await phoneCanvas.boundingBox();
  const phoneYaw = await phoneCanvas.evaluate((c) => Number(c.dataset.yaw));
  const cdp = await phone.newCDPSession(mobile);
  const at = (dx) => [{ x: touchBox.x + touchBox.width / 2 + dx, y: touchBox.y + touchBox.height / 2 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(-60) });
  for (let step = 1; step <= 6; step += 1) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(-60 + step * 20) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await mobile.waitForTimeout(300);
  const phoneYawAfter = await phoneCanvas.evaluate((c) => Number(c.dataset.yaw));
  check(Math.abs(phoneYawAfter - phoneYaw) > 0.5, `a finger drag turns the model (yaw ${phoneYaw} -> ${phoneYawAfter})`);
  const after = await mobile.locator('#booth-panel').boundingBox();
  check(after.y + after.height <= 844, 'the panel still fits the screen');
  writeFileSync(join(artifacts, 'panel-phone-model.png'), await mobile.screenshot());
  await phone.close();
} finally {
  await browser.close();
}

// 8. Without WebGL2 the turntable says so instead of failing.
const plain = await launchChromium({ webgl: false });
try {
  const exhibitors = await (await fetch(new URL('/api/v1/exhibitors', base))).json();
  const withModel = exhibitors.find((e) => e.model_url);
  const page = await plain.newPage({ viewport: { width: 1200, height: 900 } });
  await openBooth(page, withModel.slug);
  await page.locator('#panel-media .model-part').scrollIntoViewIfNeeded();
  const message = await page.waitForFunction(() => document.querySelector('#panel-media .model-failed')?.textContent, null, { timeout: 20_000 })
    .then((handle) => handle.jsonValue(), () => '');
  check(/WebGL2/.test(message), `without WebGL2 the panel says why the model is not shown (${message})`);
  writeFileSync(join(artifacts, 'panel-model-no-webgl.png'), await page.screenshot());
} finally {
  await plain.close();
}

if (failures.length) {
  console.error(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('\nbooth panel: all checks passed');
