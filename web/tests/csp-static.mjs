// Static check that the pages stay ready for a strict Content-Security-Policy (no
// 'unsafe-inline', no 'unsafe-eval'): reads web/*.html and web/*.js and refuses inline scripts,
// inline event handlers, style attributes, javascript: URLs, eval and markup parsing. The
// browser tests (support.mjs) catch what runs; this also covers code paths they do not reach.
// Needs no server or browser: `node web/tests/csp-static.mjs`.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, failures } from './support.mjs';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = readdirSync(web).filter((name) => /\.(html|js)$/.test(name)).sort();

const everywhere = [
  [/javascript:/i, 'javascript: URLs'],
  [/\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*['"`]/, 'eval or new Function'],
  [/set(?:Timeout|Interval)\s*\(\s*['"`]/, 'timers given code strings'],
];
const inHtml = [
  [/<script\b(?![^>]*\bsrc\s*=)[^>]*>/i, 'inline <script> blocks'],
  [/<[a-z][^>]*\son[a-z]+\s*=/i, 'inline event handler attributes'],
  [/<[a-z][^>]*\sstyle\s*=/i, 'style attributes'],
  [/<style\b/i, 'inline <style> blocks'],
];
const inScripts = [
  [/\.(?:inner|outer)HTML\s*=|insertAdjacentHTML|document\.write/, 'markup parsed from strings'],
  [/setAttribute\(\s*['"`](?:style|on[a-z]+)['"`]/, 'style or event handler attributes set from script'],
];

for (const name of files) {
  const text = readFileSync(join(web, name), 'utf8');
  const rules = [...everywhere, ...(name.endsWith('.html') ? inHtml : inScripts)];
  for (const [pattern, what] of rules) {
    const match = text.match(pattern);
    const line = match ? text.slice(0, match.index).split('\n').length : 0;
    check(!match, `${name} has no ${what}${match ? ` (line ${line}: ${match[0]})` : ''}`);
  }
}

console.log(`\n${failures.length === 0 ? `CSP static check: ${files.length} files pass` : `CSP static check: ${failures.length} problem(s)`}`);
process.exit(failures.length === 0 ? 0 : 1);
