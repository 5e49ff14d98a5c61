// Shared pieces of the browser tests (e2e.mjs, portal.mjs, staff.mjs, tour.mjs): the Chromium
// they drive, the folder their screenshots go to, the check() that logs each result and collects
// the failures, the Content-Security-Policy every page must work under, and the accessibility
// check (axe-core).
//
// Env: CHROMIUM (the browser binary; default /usr/bin/chromium), PAVILION_ARTIFACTS (where
// screenshots go; default ./e2e-output).

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

/** The messages of the checks that failed so far, in order. */
export const failures = [];

/** Logs `ok   message` or `FAIL message`, and records the message if the check failed. */
export function check(condition, message) {
  if (condition) {
    console.log(`ok   ${message}`);
  } else {
    console.log(`FAIL ${message}`);
    failures.push(message);
  }
}

/** Creates the screenshot folder (PAVILION_ARTIFACTS, default e2e-output) and returns it. */
export function artifactsDir() {
  const artifacts = process.env.PAVILION_ARTIFACTS ?? 'e2e-output';
  mkdirSync(artifacts, { recursive: true });
  return artifacts;
}

/**
 * Starts Debian's Chromium headless, with WebGL2 on the CPU through SwiftShader, or with no
 * WebGL at all (`{ webgl: false }`), as some visitors' browsers are.
 */
/** Signs in to the staff API at `base` and returns the session's bearer token. */
export async function staffToken(base, name, password) {
  const signIn = await fetch(new URL('/api/v1/staff/sessions', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (!signIn.ok) throw new Error(`the staff account does not sign in: HTTP ${signIn.status}`);
  return (await signIn.json()).token;
}

export function launchChromium({ webgl = true } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : ['--disable-webgl', '--disable-3d-apis']),
    ],
  });
}

/**
 * Runs axe-core (from web/node_modules, never fetched) on the page as it is now and returns its
 * serious and critical violations, one line each: the rule, what it asks and where. Playwright
 * evaluates the script through the DevTools protocol, so the page's policy is not loosened.
 */
export async function seriousAccessibilityProblems(page) {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return violations
    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ')}`);
}

/**
 * The policy the server is to send with its pages (issue 9): the pages must work under it.
 * Nothing may frame a page, except that our own pages may frame the hall (the portal's preview).
 */
export function contentSecurityPolicy(pathname) {
  const hallPage = pathname === '/' || pathname === '/index.html';
  return [
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'",
    "img-src 'self' data: blob:", "media-src 'self' blob:", "connect-src 'self'", "worker-src 'self' blob:",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    `frame-ancestors ${hallPage ? "'self'" : "'none'"}`,
  ].join('; ');
}

/**
 * Serves the pages of `context` (`/` and `*.html`) under contentSecurityPolicy() when the
 * server sends no policy of its own, so the tests hold the pages to it today. (Routing turns
 * off the browser's HTTP cache for the context.)
 */
export async function enforceContentSecurityPolicy(context) {
  await context.route((url) => url.pathname === '/' || url.pathname.endsWith('.html'), async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    const headers = response.headers();
    headers['content-security-policy'] ??= contentSecurityPolicy(new URL(route.request().url()).pathname);
    return route.fulfill({ response, headers });
  });
}

/**
 * Collects into `violations` (returned) what Chromium logs when the page's policy refuses
 * something (an inline script, style or handler, eval, a fetch elsewhere): check that the
 * list stays empty.
 */
export function watchContentSecurityPolicy(page, violations = []) {
  page.on('console', (message) => {
    const text = message.text();
    if (text.includes('Content Security Policy')) violations.push(text.slice(0, 300));
  });
  return violations;
}

/**
 * Test-only: counts the WebGL2 draw calls of each animation frame (runs in the page before its
 * scripts). `window.__drawCalls.summary()` gives, over the recent frames that drew anything,
 * the largest and the median count of draws and the median time between such frames;
 * `reset()` starts a new sample.
 */
export function countDrawCalls() {
  const counter = { current: 0, frames: [], times: [] };
  const proto = WebGL2RenderingContext.prototype;
  for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced', 'drawRangeElements']) {
    const original = proto[name];
    proto[name] = function countedDraw(...args) {
      counter.current += 1;
      return original.apply(this, args);
    };
  }
  const tick = (now) => {
    if (counter.current > 0) {
      counter.frames.push(counter.current);
      counter.times.push(now);
    }
    if (counter.frames.length > 300) {
      counter.frames.shift();
      counter.times.shift();
    }
    counter.current = 0;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  counter.reset = () => {
    counter.frames = [];
    counter.times = [];
  };
  counter.summary = () => ({
    frames: counter.frames.length,
    max: Math.max(0, ...counter.frames),
    median: median(counter.frames),
    frameMs: Math.round(median(counter.times.slice(1).map((t, i) => t - counter.times[i]))),
  });
  window.__drawCalls = counter;
}
