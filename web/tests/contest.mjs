// Browser test of the knowledge contest (issue 13): a curator writes a question set in the
// staff console (a broken one is refused with its problems listed, nothing saved; a set
// nobody has played can be deleted), then a
// visitor opens it from the hall page's link, takes a nickname, answers the first question
// right (the verdict shows the explanation), lets the second one's countdown run out ("time
// is up"), and ends on the leaderboards with their score; no answer or explanation reaches
// the page before it answers; the staff's CSV export has the round. Saves screenshots; the
// pages run under the Content-Security-Policy of support.mjs.
//
// Needs PAVILION_URL, PAVILION_STAFF_NAME and PAVILION_STAFF_PASSWORD (cargo xtask e2e).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, enforceContentSecurityPolicy, failures, launchChromium, staffToken, watchContentSecurityPolicy,
} from './support.mjs';

const base = process.env.PAVILION_URL;
const staffName = process.env.PAVILION_STAFF_NAME;
const staffPassword = process.env.PAVILION_STAFF_PASSWORD;
if (!base || !staffName || !staffPassword) {
  throw new Error('set PAVILION_URL, PAVILION_STAFF_NAME and PAVILION_STAFF_PASSWORD');
}
const artifacts = artifactsDir();
const SET = `e2e-quiz-${Date.now().toString(36)}`;
const NICKNAME = `Tester ${Date.now().toString(36).slice(-5)}`;

const token = await staffToken(base, staffName, staffPassword);

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await enforceContentSecurityPolicy(context);
  const page = await context.newPage();
  const cspViolations = watchContentSecurityPolicy(page);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));

  // 1. The curator writes the set in the console.
  await page.goto(new URL('/staff.html', base).href);
  await page.fill('#sign-in-name', staffName);
  await page.fill('#sign-in-password', staffPassword);
  await page.click('#sign-in button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
  await page.click('#contest-new');
  await page.fill('#contest-id', SET);
  await page.fill('#contest-title', 'End-to-end quiz');
  await page.selectOption('#contest-theme', 'campus-day');
  await page.fill('#contest-seconds', '5');
  const question = (i) => page.locator(`#contest-questions fieldset[data-question="${i}"]`);
  await question(0).locator('.q-prompt').fill('Which password is the strongest?');
  await question(0).locator('.q-choices').fill('123456\nPassword1\na long random passphrase');
  await question(0).locator('.q-answer').fill('3');
  await question(0).locator('.q-explanation').fill('SECRET-ONE: length beats complexity.');
  await page.click('#contest-add-question');
  await question(1).locator('.q-prompt').fill('Public Wi-Fi is safe for online banking.');
  await question(1).locator('.q-choices').fill('True\nFalse');
  await question(1).locator('.q-answer').fill('5');
  await question(1).locator('.q-explanation').fill('SECRET-TWO: use mobile data instead.');
  await page.click('#contest-save');
  await page.waitForFunction(() => document.getElementById('contest-status').textContent.includes('Not saved'));
  const problems = await page.locator('#contest-problems li[data-rule="answer"]').allTextContents();
  check(problems.length === 1 && problems[0].startsWith('questions[1].answer'), `the wrong answer index is shown: ${problems}`);
  writeFileSync(join(artifacts, 'contest-staff-refused.png'), await page.screenshot({ fullPage: true }));
  await question(1).locator('.q-answer').fill('2');
  await page.click('#contest-save');
  await page.waitForFunction((id) => document.getElementById('contest-status').textContent.includes(`Saved ${id}`), SET);
  const staffSets = await (await fetch(new URL('/api/v1/staff/contest/sets', base), { headers: { authorization: `Bearer ${token}` } })).json();
  const savedSet = staffSets.sets.find((entry) => entry.set.id === SET).set;
  check(savedSet.questions.length === 2 && savedSet.questions[1].answer === 1, 'the console saved both questions with their answers');
  check(await page.locator(`#contest-sets li[data-set="${SET}"]`).count() === 1, 'the console lists the saved set');
  // A set nobody has played can be deleted; write it again afterwards.
  page.once('dialog', (dialog) => dialog.accept());
  await page.click(`#contest-sets li[data-set="${SET}"] button:has-text("Delete")`);
  await page.waitForFunction((id) => document.getElementById('contest-status').textContent.includes(`Deleted ${id}`), SET);
  check(await page.locator(`#contest-sets li[data-set="${SET}"]`).count() === 0, 'a deleted set leaves the list');
  const restore = await fetch(new URL(`/api/v1/staff/contest/sets/${SET}`, base), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(savedSet),
  });
  check(restore.ok, `the set is written again through the API (HTTP ${restore.status})`);
  // Visitors play the sets of the published hall: publish the saved set.
  const published = await fetch(new URL('/api/v1/staff/publish', base), { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  check(published.ok, `the set is published for visitors (HTTP ${published.status})`);

  // 2. The hall page links to the contest.
  const hallHtml = await (await fetch(new URL('/', base))).text();
  check(hallHtml.includes('href="/contest.html"'), 'the hall page links to the contest');

  // 3. A visitor plays; nothing secret reaches the page before it answers.
  const visitor = await context.newPage();
  watchContentSecurityPolicy(visitor, cspViolations);
  visitor.on('pageerror', (error) => pageErrors.push(String(error)));
  const early = [];
  visitor.on('response', async (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/api/v1/contest') || url.pathname.endsWith('/answers')) return;
    const text = await response.text().catch(() => '');
    if (text.includes('SECRET-') || text.includes('"answer"')) early.push(url.pathname);
  });
  await visitor.goto(new URL(`/contest.html#/set/${SET}`, base).href);
  await visitor.waitForFunction(() => document.body.dataset.state === 'choosing');
  await visitor.fill('#nickname', NICKNAME);
  await visitor.click('#nickname-save');
  await visitor.waitForFunction(() => document.body.dataset.state === 'play');
  check((await visitor.locator('#question-prompt').textContent()) === 'Which password is the strongest?', 'the first question is asked');
  check(await visitor.locator('#choices button').count() === 3, 'with its three choices');
  writeFileSync(join(artifacts, 'contest-question.png'), await visitor.screenshot());
  await visitor.click('#choices button[data-choice="2"]');
  await visitor.waitForSelector('#verdict:not([hidden])');
  check((await visitor.locator('#verdict-title').textContent()).startsWith('Right!'), 'the right answer is confirmed');
  check((await visitor.locator('#explanation').textContent()).startsWith('SECRET-ONE'), 'the explanation is shown after answering');
  writeFileSync(join(artifacts, 'contest-verdict.png'), await visitor.screenshot());
  await visitor.click('#next');
  await visitor.waitForFunction(() => document.getElementById('question-prompt').textContent.startsWith('Public Wi-Fi'));
  // Let the 5 s countdown run out.
  await visitor.waitForSelector('#verdict:not([hidden])', { timeout: 15_000 });
  check((await visitor.locator('#verdict-title').textContent()) === 'Time is up.', 'the countdown ends the question');
  check(await visitor.locator('#choices button.right[data-choice="1"]').count() === 1, 'the right choice is marked');
  await visitor.click('#next');
  await visitor.waitForFunction(() => document.body.dataset.state === 'finished');
  check((await visitor.locator('#score').textContent()).startsWith('10 points: 1 of 2 right'), `the score: ${await visitor.locator('#score').textContent()}`);
  const board = await visitor.locator('#board li').allTextContents();
  check(board.some((line) => line.includes(NICKNAME) && line.includes('10 pts')), `the set's leaderboard has the visitor: ${board}`);
  const week = await visitor.locator('#week-board li.me').count();
  check(week === 1, 'the week leaderboard marks the visitor');
  writeFileSync(join(artifacts, 'contest-result.png'), await visitor.screenshot({ fullPage: true }));
  check(early.length === 0, `no answer reached the page before it answered: ${early}`);

  // 4. A second attempt is not possible: reopening the set shows the result.
  await visitor.goto(new URL(`/contest.html#/set/${SET}`, base).href);
  await visitor.waitForFunction(() => document.body.dataset.state === 'finished');
  check(true, 'reopening a played set shows its result, not a new round');

  // 5. The staff's export has the round.
  const csv = await (await fetch(new URL('/api/v1/staff/contest/results.csv', base), {
    headers: { authorization: `Bearer ${token}` },
  })).text();
  check(csv.includes(`\r\n${SET},${NICKNAME},10,1,2,2,`), 'the CSV export has the round');

  check(pageErrors.length === 0, `no script errors on the pages ${pageErrors.join(' | ')}`);
  check(cspViolations.length === 0, `nothing breaks the Content-Security-Policy ${cspViolations.join(' | ')}`);
} finally {
  await browser.close();
  await fetch(new URL('/api/v1/staff/sessions', base), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).catch(() => {});
}

console.log(`\n${failures.length === 0 ? 'contest: all checks passed' : `contest: ${failures.length} check(s) failed`}`);
process.exit(failures.length === 0 ? 0 : 1);
