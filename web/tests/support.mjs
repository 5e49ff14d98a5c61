// Shared pieces of the browser tests (e2e.mjs, portal.mjs, staff.mjs): the Chromium they
// drive, the folder their screenshots go to, and the check() that logs each result and
// collects the failures.
//
// Env: CHROMIUM (the browser binary; default /usr/bin/chromium), PAVILION_ARTIFACTS (where
// screenshots go; default ./e2e-output).

import { mkdirSync } from 'node:fs';
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

/** Starts Debian's Chromium headless, with WebGL2 on the CPU through SwiftShader. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    ],
  });
}
