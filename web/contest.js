// Pavilion knowledge contest page: a nickname registered with the server (its secret kept in
// this browser's localStorage, so the one-attempt rule follows the visitor across reloads),
// the question sets, then one question at a time with a countdown taken from the server's
// time left; a click sends the choice, the server's verdict brings the answer and its
// explanation; when the countdown ends the page sends "no choice". The final score leads to
// the set's and the week's leaderboards. `#/set/<id>` in the address opens a set directly.

import { $, api, h } from '/lib.js';

const STORAGE_KEY = 'pavilion-contest-visitor';
const state = { visitor: null, sets: [], themes: new Map(), set: null, question: null, deadline: 0, timer: 0, answering: false };

function say(id, text, kind = 'info') {
  $(id).textContent = text;
  $(id).dataset.kind = kind;
}

function loadVisitor() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (typeof saved?.token === 'string' && typeof saved?.nickname === 'string') return saved;
  } catch {
    // A damaged entry: start again with a new nickname.
  }
  return null;
}

const play = (path, options = {}) => api(path, {
  ...options,
  headers: { 'x-contest-visitor': state.visitor?.token ?? '' },
});
const attemptPath = (id) => `/api/v1/contest/sets/${encodeURIComponent(id)}/attempt`;

function showWho() {
  const known = Boolean(state.visitor);
  $('nickname-form').hidden = known;
  $('playing-as').hidden = !known;
  $('playing-name').textContent = state.visitor?.nickname ?? '';
}

function show(section) {
  for (const id of ['play', 'result']) $(id).hidden = id !== section;
  $('sets-card').hidden = section !== null;
  document.body.dataset.state = section ?? 'choosing';
}

function renderSets() {
  $('sets').replaceChildren(...state.sets.map((set) => h('li', { 'data-set': set.id },
    h('div', {},
      h('strong', { textContent: set.title }),
      h('span', { className: 'week-hint', textContent: ` · ${state.themes.get(set.theme_day) ?? 'the whole week'} · ${set.questions} questions · ${set.seconds_per_question} s each` })),
    h('button', {
      type: 'button', className: 'week-button primary', textContent: 'Play',
      onclick: () => openSet(set.id),
    }))));
  if (!state.sets.length) $('sets').replaceChildren(h('li', { className: 'week-hint', textContent: 'There is no question set yet.' }));
}

$('nickname-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    state.visitor = await api('/api/v1/contest/visitors', { method: 'POST', json: { nickname: $('nickname').value } });
  } catch (error) {
    say('who-status', error.message, 'error');
    return;
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(state.visitor));
  say('who-status', '');
  showWho();
  if (state.pending) openSet(state.pending);
});

/// Starts the visitor's attempt at a set, or picks it up where it stands.
async function openSet(id) {
  const set = state.sets.find((s) => s.id === id);
  if (!set) return;
  if (!state.visitor) {
    state.pending = id;
    say('who-status', 'Choose a nickname first.', 'error');
    $('nickname').focus();
    return;
  }
  state.set = set;
  history.replaceState(null, '', `#/set/${id}`);
  $('set-title').textContent = set.title;
  let view;
  try {
    view = await play(attemptPath(id), { method: 'POST' });
  } catch (error) {
    if (error.code !== 'already_played') {
      say('who-status', error.message, 'error');
      if (error.status === 401) forgetVisitor();
      return;
    }
    view = await play(attemptPath(id));
  }
  adopt(view);
}

function forgetVisitor() {
  localStorage.removeItem(STORAGE_KEY);
  state.visitor = null;
  showWho();
}

function adopt(view) {
  if (view.finished) {
    finish(view);
  } else if (view.question) {
    ask(view.question, view.ms_left);
  }
}

function ask(question, msLeft) {
  show('play');
  state.question = question;
  state.answering = false;
  $('question-number').textContent = `Question ${question.index + 1} of ${question.of}`;
  $('question-prompt').textContent = question.prompt;
  $('verdict').hidden = true;
  say('play-status', '');
  $('choices').replaceChildren(...question.choices.map((choice, index) => h('li', {},
    h('button', {
      type: 'button', className: 'choice', textContent: choice, 'data-choice': index,
      onclick: () => answer(index),
    }))));
  state.deadline = performance.now() + msLeft;
  state.limit = question.seconds * 1000;
  clearInterval(state.timer);
  state.timer = setInterval(tick, 200);
  tick();
}

function tick() {
  const left = Math.max(0, state.deadline - performance.now());
  $('countdown').textContent = String(Math.ceil(left / 1000));
  $('countdown-bar').style.width = `${(100 * left) / state.limit}%`;
  if (left <= 0) {
    clearInterval(state.timer);
    answer(null);
  }
}

/// Sends the choice (null: the time ran out) and shows the server's verdict.
async function answer(choice) {
  if (state.answering) return;
  state.answering = true;
  clearInterval(state.timer);
  for (const button of $('choices').querySelectorAll('button')) button.disabled = true;
  let verdict;
  try {
    verdict = await play(`${attemptPath(state.set.id)}/answers`, {
      method: 'POST', json: { question: state.question.index, choice },
    });
  } catch (error) {
    say('play-status', error.message, 'error');
    return;
  }
  const buttons = $('choices').querySelectorAll('button');
  buttons[verdict.answer]?.classList.add('right');
  if (choice !== null && !verdict.correct) buttons[choice]?.classList.add('wrong');
  $('verdict').hidden = false;
  $('verdict').dataset.correct = String(verdict.correct);
  let title = verdict.correct ? `Right! +${verdict.points} points.` : 'Not quite.';
  if (choice === null) title = 'Time is up.';
  else if (verdict.late) title = 'Too late: the time was up.';
  $('verdict-title').textContent = title;
  $('explanation').textContent = verdict.explanation;
  state.finished = verdict.attempt.finished ? verdict.attempt : null;
  $('next').textContent = state.finished ? 'See your result' : 'Next question';
  $('next').focus();
}

$('next').addEventListener('click', async () => {
  if (state.finished) {
    finish(state.finished);
    return;
  }
  try {
    adopt(await play(attemptPath(state.set.id)));
  } catch (error) {
    say('play-status', error.message, 'error');
  }
});

function boardLines(lines) {
  if (!lines.length) return [h('li', { className: 'week-hint', textContent: 'No finished round yet.' })];
  return lines.map((line) => h('li', {
    className: line.nickname === state.visitor?.nickname ? 'me' : '',
    value: line.rank,
  },
  h('span', { textContent: line.nickname }),
  h('span', { textContent: `${line.score} pts · ${(line.time_ms / 1000).toFixed(1)} s` })));
}

async function finish(view) {
  clearInterval(state.timer);
  show('result');
  $('score').textContent = `${view.score} points: ${view.correct} of ${view.questions} right.`;
  const [board, week] = await Promise.all([
    api(`/api/v1/contest/sets/${encodeURIComponent(state.set.id)}/leaderboard`),
    api('/api/v1/contest/leaderboard'),
  ]);
  $('board').replaceChildren(...boardLines(board.lines));
  $('week-board').replaceChildren(...boardLines(week.lines));
  document.body.dataset.state = 'finished';
}

$('back').addEventListener('click', () => {
  history.replaceState(null, '', '#');
  show(null);
});

async function start() {
  state.visitor = loadVisitor();
  showWho();
  try {
    state.sets = (await api('/api/v1/contest')).sets;
  } catch (error) {
    say('who-status', `Could not load the contest: ${error.message}`, 'error');
    return;
  }
  // The theme days' names, from the published programme (without it, the ids are enough).
  try {
    const programme = await api('/api/v1/programme');
    state.themes = new Map(programme.theme_days.map((theme) => [theme.id, theme.name]));
  } catch {
    // No programme published: the sets are listed without their theme day's name.
  }
  renderSets();
  show(null);
  const wanted = /^#\/set\/([a-z0-9-]+)$/.exec(location.hash)?.[1];
  if (wanted) openSet(wanted);
}

start();
