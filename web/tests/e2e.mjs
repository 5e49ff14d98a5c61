// End-to-end test of the visitor page: the real server, Debian's Chromium (WebGL2 on the CPU
// through SwiftShader) driven by Playwright. Waits for the viewer's own ready signal, checks the
// canvas shows a hall (many distinct colours), selects booths through the directory bridge and
// by clicking the 3D booth, checks the failure message, and saves screenshots. The pages run
// under the Content-Security-Policy of support.mjs, and nothing may break it.
//
// Env: PAVILION_URL (required), PAVILION_ARTIFACTS (where screenshots go; default ./e2e-output),
// PAVILION_STATIC=1 when PAVILION_URL serves a static export (`pavilion export`), whose API
// documents are files with a `.json` suffix.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, countDrawCalls, enforceContentSecurityPolicy, failures, launchChromium, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
if (!base) throw new Error('set PAVILION_URL, e.g. http://127.0.0.1:8080/');
const artifacts = artifactsDir();
const exported = process.env.PAVILION_STATIC === '1';
/** Where the page's API document `path` is: the path on the server, its file in an export. */
const documentPath = (path) => (exported ? `${path}.json` : path);

const READY_TIMEOUT = 240_000;
const browser = await launchChromium();

try {
  const context = await browser.newContext({ viewport: { width: 1024, height: 576 } });
  await enforceContentSecurityPolicy(context);
  await context.addInitScript(countDrawCalls);
  const page = await context.newPage();
  const cspViolations = watchContentSecurityPolicy(page);
  const pageErrors = [];
  const fetched = new Set();
  page.on('response', (response) => { if (response.ok()) fetched.add(new URL(response.url()).pathname); });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    const text = message.text().replace(/%c/g, '');
    if (message.type() === 'error') console.log(`  [console.error] ${text.slice(0, 300)}`);
  });

  // 1. The hall loads and says when its first frame is drawn.
  const exhibitors = await (await fetch(new URL(documentPath('/api/v1/exhibitors'), base))).json();
  check(exhibitors.length > 0, `the API lists ${exhibitors.length} exhibitors`);
  await page.goto(base);
  check(await page.locator('#loading').isVisible(), 'a loading indicator shows while the hall loads');
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: READY_TIMEOUT });
  const failedText = await page.locator('#failure-detail').textContent();
  check(await page.evaluate(() => document.body.dataset.state) === 'ready', `the viewer reports ready ${failedText ? `(failure: ${failedText})` : ''}`);
  const metrics = await page.evaluate(() => window.pavilion.metrics);
  check(metrics.booths === exhibitors.length, `the hall has ${metrics.booths} booths for ${exhibitors.length} exhibitors`);
  // Booth art streams in by distance after the first frame, a few pictures at a time.
  check(metrics.requestsBeforeFirstFrame <= 60, `${metrics.requestsBeforeFirstFrame} requests before the first frame (at most 60)`);
  const sizes = await (await fetch(new URL('/pkg/viewer-sizes.json', base))).json();
  check(metrics.wasmBytes === sizes.wasm, `the progress bar counted the viewer's ${metrics.wasmBytes} bytes of ${sizes.wasm}`);
  check(await page.locator('#loading').isHidden(), 'the loading indicator is gone once the hall is drawn');
  check((await page.locator('.exhibitor-link').count()) === exhibitors.length, 'the directory lists every exhibitor');
  // Screen readers see a list per topic whose entries are buttons, not list items.
  const directory = page.getByRole('navigation', { name: 'Exhibitor directory' });
  check((await directory.locator('#directory-list').getByRole('listitem').count()) === exhibitors.length, 'each directory entry is a list item');
  check((await directory.getByRole('button').count()) === exhibitors.length, 'and each holds a button');

  // Wait for the booth art (fascias, logos, signs) so the screenshot shows the finished hall.
  await page.waitForFunction(() => document.body.dataset.textures, null, { timeout: READY_TIMEOUT })
    .catch(() => console.log('  (textures still loading at the screenshot)'));
  await page.waitForTimeout(1500);
  Object.assign(metrics, await page.evaluate(() => window.pavilion.metrics));
  metrics.drawCalls = await page.evaluate(() => window.__drawCalls.summary());
  check(metrics.drawCalls.frames > 0 && metrics.drawCalls.max > 0, `the hall is drawn (${JSON.stringify(metrics.drawCalls)} draw calls per frame)`);
  metrics.mediaRequestsAtStart = [...fetched].filter((path) => path.startsWith('/media/')).length;

  // 2. The canvas is not blank: count distinct colours in a screenshot of the stage.
  const stage = await canvasShot(page);
  writeFileSync(join(artifacts, 'hall-canvas.png'), stage);
  const colours = await countColours(page, stage);
  check(colours > 500, `the canvas shows ${colours} distinct colours`);
  writeFileSync(join(artifacts, 'hall.png'), await page.screenshot());

  // 3. Selecting a booth through the bridge (the directory calls focus_booth) opens its panel.
  const target = exhibitors.find((e) => e.slug === 'kestrel-ward') ?? exhibitors[0];
  const targetButton = directory.getByRole('button', { name: new RegExp(`^${escapeRegExp(target.name)}`) });
  check((await targetButton.count()) === 1, `the directory exposes ${target.name} as a button`);
  await targetButton.click();
  await page.waitForFunction((slug) => document.getElementById('booth-panel').dataset.slug === slug && !document.getElementById('booth-panel').hidden, target.slug, { timeout: 60_000 });
  check((await page.locator('#panel-name').textContent()) === target.name, `the panel shows ${target.name}`);
  check(new URL(page.url()).hash === `#/booth/${target.slug}`, `the address names the open booth (${new URL(page.url()).hash})`);
  check((await page.locator('#panel-description p').count()) >= 2, 'the panel shows the description paragraphs');
  check((await page.locator('#panel-products li').count()) >= 2, 'the panel lists the products');

  // The booth's media: a gallery of thumbnails that open larger, and the brochure link.
  const detail = await (await fetch(new URL(documentPath(`/api/v1/exhibitors/${target.slug}`), base))).json();
  const pictures = (detail.media ?? []).filter((m) => m.kind === 'image').length;
  check(pictures > 0, `${target.name} has ${pictures} pictures in the catalogue`);
  check((await page.locator('#panel-media .gallery .thumb').count()) === pictures, 'the panel shows a gallery of the booth\'s pictures');
  if ((detail.media ?? []).some((m) => m.kind === 'brochure')) {
    const href = await page.locator('#panel-media .brochure-link').getAttribute('href');
    check(/^\/media\/[0-9a-f]{64}\.pdf$/.test(href ?? ''), `the panel links the brochure (${href})`);
  }
  if (pictures > 0) {
    await page.locator('#panel-media .gallery .thumb').first().click();
    const opened = await page.waitForFunction(() => document.getElementById('picture-viewer')?.open
      && document.querySelector('#picture-viewer img').complete
      && document.querySelector('#picture-viewer img').naturalWidth > 0, null, { timeout: 20_000 }).then(() => true, () => false);
    check(opened, 'a thumbnail opens the picture larger');
    writeFileSync(join(artifacts, 'picture-viewer.png'), await page.screenshot());
    await page.keyboard.press('Escape');
    check(!(await page.evaluate(() => document.getElementById('picture-viewer').open)), 'Escape closes the picture');
    check(await page.locator('#booth-panel').isVisible(), 'and leaves the booth panel open');
  }

  // Let the glide to the booth finish, then show it.
  await page.waitForTimeout(4000);
  writeFileSync(join(artifacts, 'booth-selected.png'), await page.screenshot());

  // 4. Clicking the booth in 3D selects it: the visitor now faces it, so click the canvas centre.
  await page.locator('#panel-close').click();
  check(await page.locator('#booth-panel').isHidden(), 'the panel closes');
  const box = await page.locator('#hall-canvas').boundingBox();
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(centre.x, centre.y);
  await page.waitForTimeout(1500);
  await page.mouse.down();
  await page.waitForTimeout(400);
  await page.mouse.up();
  const clicked = await page.waitForFunction(() => !document.getElementById('booth-panel').hidden, null, { timeout: 60_000 })
    .then(() => true, () => false);
  const clickedSlug = await page.evaluate(() => document.getElementById('booth-panel').dataset.slug);
  check(clicked && clickedSlug === target.slug, `clicking the booth in 3D selects it (got ${clickedSlug})`);

  // 5. Keyboard walking moves the visitor (the view changes).
  const before = await canvasShot(page);
  await page.locator('#panel-close').click();
  await page.locator('#hall-canvas').focus();
  await page.keyboard.down('s');
  await page.waitForTimeout(2500);
  await page.keyboard.up('s');
  await page.waitForTimeout(1500);
  const after = await canvasShot(page);
  check(!before.equals(after), 'walking with the keyboard changes the view');

  // 6. A booth with a product model: the panel notes it and the model stands on its plinth.
  const withModel = exhibitors.find((e) => e.model_url);
  check(Boolean(withModel), `an exhibitor has a model (${withModel?.slug})`);
  if (withModel) {
    await page.locator(`.exhibitor-link[data-slug="${withModel.slug}"]`).click();
    await page.waitForFunction((slug) => document.getElementById('booth-panel').dataset.slug === slug
      && !document.getElementById('booth-panel').hidden, withModel.slug, { timeout: 60_000 });
    check(await page.locator('#panel-media .model-note').isVisible(), 'the panel notes the 3D model at the booth');
    // Models load once the visitor is near: the walk to the booth brings them in.
    const modelDeadline = Date.now() + 90_000;
    while (!fetched.has(withModel.model_url) && Date.now() < modelDeadline) await page.waitForTimeout(500);
    check(fetched.has(withModel.model_url), `the viewer fetched its model ${withModel.model_url}`);
    await page.locator('#panel-close').click();
    await page.waitForTimeout(5000);
    writeFileSync(join(artifacts, 'booth-model.png'), await page.screenshot());
  }

  // 7. Back and forward move between the booths opened; a booth's link opens it.
  if (withModel) {
    const panelSlug = () => page.evaluate(() => (document.getElementById('booth-panel').hidden ? null : document.getElementById('booth-panel').dataset.slug));
    check(new URL(page.url()).hash === '', 'closing the panel takes the booth out of the address');
    await page.goBack();
    const reopened = await page.waitForFunction((slug) => !document.getElementById('booth-panel').hidden
      && document.getElementById('booth-panel').dataset.slug === slug, withModel.slug, { timeout: 60_000 }).then(() => true, () => false);
    check(reopened, `the back button reopens ${withModel.slug} (${await panelSlug()})`);
    await page.goBack();
    const closed = await page.waitForFunction(() => document.getElementById('booth-panel').hidden, null, { timeout: 60_000 })
      .then(() => true, () => false);
    check(closed, `and once more closes it (${await panelSlug()})`);
    await page.goForward();
    const forward = await page.waitForFunction((slug) => !document.getElementById('booth-panel').hidden
      && document.getElementById('booth-panel').dataset.slug === slug, withModel.slug, { timeout: 60_000 }).then(() => true, () => false);
    check(forward, 'the forward button opens it again');
  }
  const linked = await context.newPage();
  await linked.goto(new URL(`/#/booth/${target.slug}`, base).href);
  const linkOpened = await linked.waitForFunction((slug) => !document.getElementById('booth-panel').hidden
    && document.getElementById('booth-panel').dataset.slug === slug, target.slug, { timeout: 60_000 }).then(() => true, () => false);
  check(linkOpened, `a link to #/booth/${target.slug} opens its panel`);
  await linked.close();

  check(pageErrors.length === 0, `no uncaught page errors ${pageErrors.join(' | ')}`);

  // 8. A hall that cannot be loaded gives a readable message, not a blank page.
  const broken = await context.newPage();
  watchContentSecurityPolicy(broken, cspViolations);
  await broken.goto(new URL('/?hall=/api/v1/no-such-hall', base).href);
  await broken.waitForFunction(() => document.body.dataset.state === 'failed', null, { timeout: READY_TIMEOUT });
  const message = await broken.locator('#failure-detail').textContent();
  check(await broken.locator('#failure').isVisible() && message.length > 10, `a failed load explains itself: "${message}"`);
  writeFileSync(join(artifacts, 'failure.png'), await broken.screenshot());
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy ${cspViolations.join(' | ')}`);

  console.log(`metrics ${JSON.stringify(metrics)}`);
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`\n${failures.length} browser check(s) failed`);
  process.exit(1);
}
console.log('\nall browser checks passed');
process.exit(0);

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Decodes the PNG in the page (a 2D canvas) and counts distinct RGB colours.

/// A screenshot of the canvas by its box: an element screenshot waits for the element to be
/// "stable" across animation frames, which times out when the software-rendered hall draws
/// at under one frame a second.
async function canvasShot(page) {
  return page.screenshot({ clip: await page.locator('#hall-canvas').boundingBox() });
}

async function countColours(page, png) {
  return page.evaluate(async (b64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${b64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, image.width, image.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, png.toString('base64'));
}
