// Developer tool, not a test: profiles the hall's frames in headless Chromium (SwiftShader)
// with the DevTools CPU profiler and prints the functions with the most self time. Needs a
// viewer built with names (`cargo xtask build-web --quick`).
// Env: PAVILION_URL (required), PAVILION_PROFILE_SECONDS (default 15), PAVILION_PROFILE_TOP (40).

import { launchChromium } from './support.mjs';

const base = process.env.PAVILION_URL;
if (!base) throw new Error('set PAVILION_URL, e.g. http://127.0.0.1:8080/');
const seconds = Number(process.env.PAVILION_PROFILE_SECONDS ?? 15);
const top = Number(process.env.PAVILION_PROFILE_TOP ?? 40);

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(base);
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 600_000 });
  await page.waitForTimeout(5_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  let total = 0;
  for (const [id, count] of counts) {
    const node = byId.get(id);
    const name = node.callFrame.functionName || `(${node.callFrame.url.split('/').pop() || 'anonymous'})`;
    self.set(name, (self.get(name) ?? 0) + count);
    total += count;
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, count] of rows) console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 150)}`);
  // Inclusive time by function, for the frame's main systems.
  const parents = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const inclusive = new Map();
  for (const [id, count] of counts) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parents.get(cur)) {
      const name = byId.get(cur).callFrame.functionName;
      if (!name || seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + count);
    }
  }
  console.log('--- inclusive');
  const incl = [...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, top * 2);
  for (const [name, count] of incl) console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 150)}`);
} finally {
  await browser.close();
}
