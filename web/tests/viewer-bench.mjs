// The viewer benchmark's browser half (run by `cargo xtask bench-viewer`): against one server,
// the bare scene (`?scene=bare`: camera, light, one cube from the same wasm) and then the hall,
// each in a fresh browser context (cold cache), headless Debian Chromium on SwiftShader.
// Measures the first frame after navigation, the frame time at the start point, the requests
// made before the first frame, and the WebGL2 draw calls per frame at the start point and at
// booths along the walking path (reached through the directory bridge).
//
// Env: PAVILION_URL (required), PAVILION_BENCH_OUT (JSON written there), PAVILION_BENCH_STOPS
// (booths visited on the path, default 6), PAVILION_BENCH_FRAMES (frames sampled per figure,
// default 20).

import { writeFileSync } from 'node:fs';
import { countDrawCalls, launchChromium } from './support.mjs';

const base = process.env.PAVILION_URL;
if (!base) throw new Error('set PAVILION_URL, e.g. http://127.0.0.1:8080/');
const stops = Number(process.env.PAVILION_BENCH_STOPS ?? 6);
const frames = Number(process.env.PAVILION_BENCH_FRAMES ?? 20);
const READY_TIMEOUT = 900_000;
const browser = await launchChromium();

/** Waits until `count` more frames have been drawn (Bevy's frames, as the counter sees them). */
async function drawnFrames(page, count) {
  await page.waitForFunction((n) => window.__drawCalls.frames.length >= n, count, { timeout: READY_TIMEOUT, polling: 200 });
}

async function sample(page) {
  await page.evaluate(() => window.__drawCalls.reset());
  await drawnFrames(page, frames);
  return page.evaluate(() => window.__drawCalls.summary());
}

async function open(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(countDrawCalls);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(new URL(path, base).href);
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: READY_TIMEOUT });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') {
    throw new Error(`${path} did not get ready: ${await page.locator('#failure-detail').textContent()} ${errors.join(' | ')}`);
  }
  return { context, page, metrics: await page.evaluate(() => window.pavilion.metrics) };
}

const result = {};
try {
  const bare = await open('/?scene=bare');
  result.bare = { firstFrameMs: bare.metrics.firstFrameMs, start: await sample(bare.page) };
  await bare.context.close();

  const hall = await open('/');
  result.hall = {
    firstFrameMs: hall.metrics.firstFrameMs,
    requestsBeforeFirstFrame: hall.metrics.requestsBeforeFirstFrame,
    booths: hall.metrics.booths,
    start: await sample(hall.page),
    path: [],
  };
  const exhibitors = await (await fetch(new URL('/api/v1/exhibitors', base))).json();
  const step = Math.max(1, Math.floor(exhibitors.length / stops));
  for (let i = 0; i < exhibitors.length && result.hall.path.length < stops; i += step) {
    const slug = exhibitors[i].slug;
    await hall.page.evaluate((s) => window.pavilion.focusBooth(s), slug);
    // The glide takes 0.9 s of viewer time, and a frame counts at most 0.25 s of it.
    await hall.page.evaluate(() => window.__drawCalls.reset());
    await drawnFrames(hall.page, 8);
    result.hall.path.push({ slug, ...(await sample(hall.page)) });
  }
  result.hall.pathMax = Math.max(result.hall.start.max, ...result.hall.path.map((p) => p.max));
  await hall.context.close();
} finally {
  await browser.close();
}

console.log(JSON.stringify(result));
if (process.env.PAVILION_BENCH_OUT) writeFileSync(process.env.PAVILION_BENCH_OUT, JSON.stringify(result, null, 2));
process.exit(0);
