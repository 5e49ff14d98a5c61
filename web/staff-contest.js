// Staff console, knowledge contest card: lists the question sets (with how many attempts each
// has: a played set is frozen), edits one set at a time (title, theme day, seconds per
// question, and per question its prompt, choices one per line, the right choice and the
// explanation), saves it with PUT /api/v1/staff/contest/sets/{id} (the server's rules answer
// with every problem, shown by field), deletes a set nobody has played, and downloads every
// attempt as CSV.

import { $, h } from '/lib.js';

/// `call` is the console's signed-in API call; `token` gives the session's token (for the
/// CSV download, which is not JSON).
let context = null;
const contest = { sets: [], themes: [], editing: null };

function say(text, kind = 'info') {
  $('contest-status').textContent = text;
  $('contest-status').dataset.kind = kind;
}

export async function loadContest(call, token) {
  context = { call, token };
  try {
    const [sets, programme] = await Promise.all([
      call('/api/v1/staff/contest/sets'),
      call('/api/v1/staff/programme').catch(() => null),
    ]);
    contest.sets = sets.sets;
    contest.themes = programme?.programme?.theme_days ?? [];
  } catch (error) {
    say(`Could not load the contest: ${error.message}`, 'error');
    return;
  }
  renderSets();
}

function renderSets() {
  $('contest-count').textContent = `${contest.sets.length} sets`;
  $('contest-sets').replaceChildren(...contest.sets.map(({ set, attempts }) => h('li', { 'data-set': set.id },
    `${set.title} · ${set.questions.length} questions · ${attempts} attempts `,
    h('button', {
      type: 'button', className: 'staff-button staff-ghost staff-small',
      textContent: attempts > 0 ? 'View' : 'Edit',
      onclick: () => edit(structuredClone(set), attempts > 0),
    }),
    attempts > 0 ? null : h('button', {
      type: 'button', className: 'staff-button staff-ghost staff-small', textContent: 'Delete',
      onclick: () => deleteSet(set.id),
    }))));
}

/// Deletes a set nobody has played (the server refuses a played one with `set_in_play`).
async function deleteSet(id) {
  if (!window.confirm(`Delete the question set ${id}?`)) return;
  try {
    await context.call(`/api/v1/staff/contest/sets/${encodeURIComponent(id)}`, { method: 'DELETE' });
  } catch (error) {
    say(`Not deleted: ${error.message}`, 'error');
    return;
  }
  await loadContest(context.call, context.token);
  say(`Deleted ${id}: it can no longer be started, and leaves the visitors' list at the next publish.`, 'ok');
}

const blankQuestion = () => ({ prompt: '', choices: ['', ''], answer: 0, explanation: '' });

function edit(set, frozen = false) {
  contest.editing = set;
  $('contest-edit').hidden = false;
  $('contest-id').value = set.id;
  $('contest-id').readOnly = contest.sets.some((s) => s.set.id === set.id);
  $('contest-title').value = set.title;
  $('contest-seconds').value = String(set.seconds_per_question);
  $('contest-theme').replaceChildren(
    h('option', { value: '', textContent: 'The whole week' }),
    ...contest.themes.map((theme) => h('option', { value: theme.id, textContent: theme.name })),
  );
  $('contest-theme').value = set.theme_day ?? '';
  $('contest-save').disabled = frozen;
  say(frozen ? 'Visitors have played this set: it can no longer change.' : '');
  renderQuestions();
  showProblems([]);
}

function renderQuestions() {
  const questions = contest.editing.questions;
  $('contest-questions').replaceChildren(...questions.map((question, i) => h('fieldset', { className: 'staff-question', 'data-question': i },
    h('legend', { textContent: `Question ${i + 1}` }),
    h('label', {}, 'Prompt', h('textarea', {
      rows: 2, maxLength: 500, value: question.prompt, className: 'q-prompt',
      oninput: (event) => { question.prompt = event.target.value; },
    })),
    h('label', {}, 'Choices, one per line', h('textarea', {
      rows: 3, value: question.choices.join('\n'), className: 'q-choices',
      oninput: (event) => { question.choices = event.target.value.split('\n'); },
    })),
    h('label', {}, 'Right choice (its line number)', h('input', {
      type: 'number', min: 1, max: 6, value: question.answer + 1, className: 'q-answer',
      oninput: (event) => { question.answer = Number(event.target.value) - 1; },
    })),
    h('label', {}, 'Explanation', h('textarea', {
      rows: 2, maxLength: 1000, value: question.explanation, className: 'q-explanation',
      oninput: (event) => { question.explanation = event.target.value; },
    })),
    h('button', {
      type: 'button', className: 'staff-button staff-ghost staff-small', textContent: 'Remove',
      onclick: () => { questions.splice(i, 1); renderQuestions(); },
    }))));
}

function showProblems(problems) {
  $('contest-problems').replaceChildren(...problems.map((problem) => h('li', {
    'data-rule': problem.rule, textContent: `${problem.field}: ${problem.message}`,
  })));
}

$('contest-new').addEventListener('click', () => edit({
  id: '', title: '', seconds_per_question: 20, questions: [blankQuestion()],
}));

$('contest-add-question').addEventListener('click', () => {
  contest.editing.questions.push(blankQuestion());
  renderQuestions();
});

$('contest-cancel').addEventListener('click', () => {
  contest.editing = null;
  $('contest-edit').hidden = true;
  say('');
});

$('contest-edit').addEventListener('submit', async (event) => {
  event.preventDefault();
  const set = contest.editing;
  set.id = $('contest-id').value.trim();
  set.title = $('contest-title').value;
  set.seconds_per_question = Number($('contest-seconds').value);
  const theme = $('contest-theme').value;
  if (theme) set.theme_day = theme; else delete set.theme_day;
  // Blank lines between choices are slips, not choices.
  for (const question of set.questions) question.choices = question.choices.filter((c) => c.trim() !== '');
  try {
    await context.call(`/api/v1/staff/contest/sets/${encodeURIComponent(set.id || '-')}`, { method: 'PUT', json: set });
  } catch (error) {
    const problems = Array.isArray(error.body?.problems) ? error.body.problems : [];
    showProblems(problems);
    say(`Not saved: ${problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''}` : error.message}`, 'error');
    return;
  }
  showProblems([]);
  $('contest-edit').hidden = true;
  contest.editing = null;
  await loadContest(context.call, context.token);
  say(`Saved ${set.id}: publish to let visitors play it (or play this version of it).`, 'ok');
});

$('contest-export').addEventListener('click', async () => {
  const response = await fetch('/api/v1/staff/contest/results.csv', {
    headers: { authorization: `Bearer ${context.token()}` },
  });
  if (!response.ok) {
    say(`Could not export the results (HTTP ${response.status}).`, 'error');
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: 'contest-results.csv' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  say('Downloaded the results.', 'ok');
});
