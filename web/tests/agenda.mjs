// Browser test of the agenda page (issue 13): a shared link to a session
// (`/agenda.html#/session/<id>`) opens its day with the session highlighted and in view; the
// day filter shows one day, the forum and topic filters their sessions; each session links to
// its stage in the hall (`/#/stage/<id>`), its topic's booths and its own calendar file, and the whole week's calendar is
// served as text/calendar with CRLF lines; the micro-classes are listed by topic.
// Saves screenshots; the page runs under the Content-Security-Policy of support.mjs.
//
// Needs PAVILION_URL (cargo xtask e2e).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
if (!base) throw new Error('set PAVILION_URL');
const artifacts = artifactsDir();

const programme = await (await fetch(new URL('/api/v1/programme', base))).json();
const target = programme.sessions.find((s) => s.kind !== 'micro_class' && s.day !== programme.days[0].date);
const sameDay = programme.sessions.filter((s) => s.day === target.day);

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await enforceContentSecurityPolicy(context);
  const page = await context.newPage();
  const cspViolations = watchContentSecurityPolicy(page);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));

  // 1. The deep link.
  await page.goto(new URL(`/agenda.html#/session/${target.id}`, base).href);
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  check(await page.locator('#filter-day').inputValue() === target.day, `the link opens ${target.day}`);
  check(await page.locator('#days .day').count() === 1, 'one day is shown');
  const card = page.locator(`#session-${target.id}`);
  check(await card.evaluate((node) => node.classList.contains('highlighted')), 'the session is highlighted');
  check(await card.isVisible() && await card.evaluate((node) => {
    const box = node.getBoundingClientRect();
    return box.top >= 0 && box.top < window.innerHeight;
  }), 'and scrolled into view');
  check(await page.locator('#days article.session').count() === sameDay.length, `its day lists its ${sameDay.length} sessions`);
  check(await card.locator('a.stage-link').getAttribute('href') === `/#/stage/${target.stage}`, 'the session links to its stage in the hall');
  writeFileSync(join(artifacts, 'agenda-session.png'), await page.screenshot());

  // 2. Its calendar file.
  const icsHref = await card.locator('a.ics-link').getAttribute('href');
  const ics = await fetch(new URL(icsHref, base));
  const icsText = await ics.text();
  check(ics.headers.get('content-type').startsWith('text/calendar'), 'the session calendar is text/calendar');
  check(icsText.includes(`UID:${target.id}@pavilion.programme\r\n`) && !/[^\r]\n/.test(icsText), 'with its event and CRLF lines');
  const week = await fetch(new URL(await page.locator('#week-ics').getAttribute('href'), base));
  const weekText = await week.text();
  check(week.ok && (weekText.match(/BEGIN:VEVENT/g) ?? []).length === programme.sessions.length, 'the week calendar has every session');

  // 3. The filters.
  await page.selectOption('#filter-day', '');
  check(await page.locator('#days .day').count() === programme.days.length, 'every day is listed without the day filter');
  const forum = programme.forums.find((f) => !f.parent && programme.sessions.some((s) => s.forum === f.id));
  await page.selectOption('#filter-forum', forum.id);
  const shown = await page.locator('#days article.session').evaluateAll((nodes) => nodes.map((n) => n.dataset.session));
  const expected = programme.sessions.filter((s) => s.forum === forum.id || programme.forums.find((f) => f.id === s.forum)?.parent === forum.id);
  check(shown.length === expected.length && expected.every((s) => shown.includes(s.id)), `the forum filter shows the ${expected.length} sessions of ${forum.id}`);

  await page.selectOption('#filter-forum', '');
  const topic = target.topic ?? programme.sessions.find((s) => s.topic).topic;
  await page.selectOption('#filter-topic', topic);
  const onTopic = await page.locator('#days article.session').evaluateAll((nodes) => nodes.map((n) => n.dataset.session));
  const expectedTopic = programme.sessions.filter((s) => s.topic === topic);
  check(onTopic.length === expectedTopic.length && expectedTopic.every((s) => onTopic.includes(s.id)), `the topic filter shows the ${expectedTopic.length} sessions on ${topic}`);
  const topicLinks = await page.locator('#days a.topic-link').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('href')));
  check(topicLinks.length === expectedTopic.length && topicLinks.every((href) => href === `/#/topic/${topic}`), 'each links to the booths of its topic');
  writeFileSync(join(artifacts, 'agenda-topic.png'), await page.screenshot());

  // 4. The micro-classes, grouped by topic.
  const micro = programme.sessions.filter((s) => s.kind === 'micro_class').length;
  check(await page.locator('#micro li').count() === micro, `the ${micro} micro-classes are listed`);

  // 5. The hall page links to the agenda.
  const hallHtml = await (await fetch(new URL('/', base))).text();
  check(hallHtml.includes('href="/agenda.html"'), 'the hall page links to the agenda');

  check(pageErrors.length === 0, `no script errors on the page ${pageErrors.join(' | ')}`);
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy ${cspViolations.join(' | ')}`);
} finally {
  await browser.close();
}

console.log(`\n${failures.length === 0 ? 'agenda: all checks passed' : `agenda: ${failures.length} check(s) failed`}`);
process.exit(failures.length === 0 ? 0 : 1);
