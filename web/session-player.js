// The session player shared by the hall's stage panel and the agenda: where a session stands by
// the server's programme clock (coming, on now, over), a countdown to its start, and its
// recording in the same player as the booth panel's video. A recording whose session is on now
// is a premiere: it plays from the minute the session has reached, so a visitor who joins late
// sees what everyone else sees; once the session is over it plays from the start on demand.

import { api, h, site } from '/lib.js';

/** The server's programme clock, as the page keeps it: `skew` is added to `Date.now()`. */
export class ProgrammeClock {
  constructor() {
    this.skew = 0;
  }

  /** Takes the time a server answer gave (RFC 3339) as now. */
  set(serverNow) {
    const at = Date.parse(serverNow);
    if (!Number.isNaN(at)) this.skew = at - Date.now();
  }

  now() {
    return Date.now() + this.skew;
  }
}

/** When a session starts and ends, in milliseconds since the epoch. */
export function sessionTimes(session, week) {
  const [year, month, day] = session.day.split('-').map(Number);
  const at = (hhmm) => {
    const [hours, minutes] = hhmm.split(':').map(Number);
    return Date.UTC(year, month - 1, day, hours, minutes) - week.utc_offset_minutes * 60_000;
  };
  return { start: at(session.start), end: at(session.end) };
}

/**
 * What is on each stage now and next, shaped like GET /api/v1/programme/now: by the browser's
 * clock at `at` (milliseconds). A static export has no server to ask; the server's own answer
 * follows the same rule (the earliest-starting session under way; the first to start later).
 */
export function nowAndNext(programme, at = Date.now()) {
  const stages = programme.stages.map((stage) => ({ stage: stage.id, stage_name: stage.name, now: null, next: null }));
  const index = new Map(stages.map((row, i) => [row.stage, i]));
  const starts = stages.map(() => ({ now: Infinity, next: Infinity }));
  for (const session of programme.sessions) {
    const i = index.get(session.stage);
    if (i === undefined) continue;
    const { start, end } = sessionTimes(session, programme.week);
    const slot = start <= at && at < end ? 'now' : start > at ? 'next' : null;
    if (slot && start < starts[i][slot]) {
      starts[i][slot] = start;
      stages[i][slot] = session;
    }
  }
  const day = programme.days.find((d) => {
    const midnight = sessionTimes({ day: d.date, start: '00:00', end: '00:00' }, programme.week).start;
    return midnight <= at && at < midnight + 86_400_000;
  }) ?? null;
  return { now: new Date(at).toISOString(), version: null, day, stages };
}

/** Now and next: from the server, or reckoned from `programme` in a static export. */
export async function programmeNow(programme) {
  return site.exported ? nowAndNext(programme) : api('/api/v1/programme/now');
}

/** `coming`, `on` or `over` at `now`. */
export function sessionPhase(session, week, now) {
  const { start, end } = sessionTimes(session, week);
  if (now < start) return 'coming';
  return now < end ? 'on' : 'over';
}

/** "2 d 3 h 05 min", "1 h 05 min 09 s", "4 min 09 s": how long until a moment `ms` away. */
export function countdownText(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (days > 0) return `${days} d ${hours} h ${two(minutes)} min`;
  if (hours > 0) return `${hours} h ${two(minutes)} min ${two(rest)} s`;
  return `${minutes} min ${two(rest)} s`;
}

/** `mm:ss` or `h:mm:ss` of a number of seconds. */
export function clockText(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const two = (n) => String(n).padStart(2, '0');
  const hours = Math.floor(seconds / 3600);
  const body = `${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  return hours ? `${hours}:${body}` : body;
}

const timers = new Set();

/** How far (seconds) a premiere may be behind or ahead of the room before play puts it back. */
const PREMIERE_DRIFT = 3;

/** Stops every countdown and pauses every session video inside `root`. */
export function stopSessionPlayers(root) {
  for (const timer of [...timers]) {
    if (!timer.element.isConnected || root.contains(timer.element)) {
      clearInterval(timer.id);
      timers.delete(timer);
    }
  }
  for (const video of root.querySelectorAll('video.session-video')) video.pause();
}

/**
 * The player for `session`: a countdown before it starts (which calls `onStart` when it reaches
 * zero), the premiere while it is on, the recording on demand once it is over, or a sentence
 * when there is no recording.
 */
export function sessionPlayer(session, week, clock, { onStart } = {}) {
  const phase = sessionPhase(session, week, clock.now());
  const { start, end } = sessionTimes(session, week);
  const frame = h('figure', { className: 'booth-video-frame session-player', 'data-phase': phase });

  if (phase === 'coming') {
    const text = h('strong', { className: 'countdown-time' });
    const countdown = h('p', { className: 'countdown', role: 'timer', 'aria-live': 'off' },
      'Starts in ', text);
    const tick = () => {
      const left = start - clock.now();
      text.textContent = countdownText(left);
      if (left <= 0) {
        stopTimer(countdown);
        onStart?.();
      }
    };
    tick();
    startTimer(countdown, tick);
    frame.append(countdown,
      h('figcaption', { textContent: session.recording_url
        ? 'The premiere plays here when the session starts.'
        : 'The session is in the room; its recording follows.' }));
    return frame;
  }

  if (!session.recording_url) {
    frame.append(h('figcaption', { textContent: phase === 'on'
      ? 'On now in the room; the recording follows.'
      : 'The recording is not online yet.' }));
    return frame;
  }

  const video = h('video', {
    className: 'booth-video session-video',
    controls: true,
    preload: 'metadata',
    playsinline: true,
    src: session.recording_url,
    'aria-label': `${session.title}${phase === 'on' ? ' (premiere)' : ' (recording)'}`,
  }, h('a', { href: session.recording_url, textContent: 'Download the recording (WebM video)' }));
  frame.append(video);

  if (phase === 'on') {
    // The live point: how far into the session the programme clock is.
    const livePoint = () => Math.min((clock.now() - start) / 1000, (end - start) / 1000);
    const note = h('figcaption', { className: 'premiere-note' });
    const seekToLive = () => {
      const at = livePoint();
      const limit = Number.isFinite(video.duration) ? video.duration : at;
      video.currentTime = Math.max(0, Math.min(at, limit));
      // When (by the programme clock) and where the visitor joined, for the page's tests.
      video.dataset.joinedClock = String(Math.round(clock.now()));
      video.dataset.joinedAt = String(video.currentTime);
      note.textContent = `Premiere, on now: joined ${clockText(video.currentTime)} in, as it plays in the room.`;
    };
    video.dataset.premiere = 'true';
    video.addEventListener('loadedmetadata', seekToLive, { once: true });
    // Played after waiting (or after a pause), a premiere goes back to the live point.
    video.addEventListener('play', () => {
      if (Math.abs(video.currentTime - livePoint()) > PREMIERE_DRIFT) seekToLive();
    });
    note.textContent = `Premiere, on now: it plays from ${clockText(livePoint())} in.`;
    frame.append(note);
  } else {
    frame.append(h('figcaption', { textContent: `Recording · ${clockText((end - start) / 1000)}` }));
  }
  return frame;
}

function startTimer(element, tick) {
  timers.add({ element, id: setInterval(tick, 1000) });
}

function stopTimer(element) {
  for (const timer of [...timers]) {
    if (timer.element === element) {
      clearInterval(timer.id);
      timers.delete(timer);
    }
  }
}
