// The time limits of a case as the workbench shows them: the nearest open clock (running,
// or breached and not yet stopped), how near it is, and its remaining time in words.
// Times come from the API with their offset, so Date.parse gives the instant.
import { onMounted, onUnmounted, ref } from 'vue';

/* The clocks that still count: not stopped, not paused, with a due time. */
export function openClocks(c) {
  return (c?.clocks ?? []).filter((k) => !k.stopped_at && (k.state === 'running' || k.state === 'breached') && k.due_at);
}

/* The open clock due first, or null. */
export function nearestClock(c) {
  let best = null;
  let bestAt = Infinity;
  for (const k of openClocks(c)) {
    const at = Date.parse(k.due_at);
    if (at < bestAt) {
      best = k;
      bestAt = at;
    }
  }
  return best;
}

/* A paused clock (no due time while paused), when the case has no open one. */
export function pausedClock(c) {
  return (c?.clocks ?? []).find((k) => !k.stopped_at && k.state === 'paused') ?? null;
}

/* 'breached' once due (or marked so), 'warn' from the clock's warning point (warn_at, the
 * setting sla_warn_pct, 80 % by default), else 'ok'. */
export function clockLevel(k, nowMs) {
  if (!k) return 'none';
  const due = Date.parse(k.due_at);
  if (k.state === 'breached' || nowMs >= due) return 'breached';
  if (k.warn_at && nowMs >= Date.parse(k.warn_at)) return 'warn';
  return 'ok';
}

/* Seconds → {d, h, m, s}. */
export function splitSeconds(total) {
  let t = Math.max(0, Math.floor(total));
  const d = Math.floor(t / 86400);
  t -= d * 86400;
  const h = Math.floor(t / 3600);
  t -= h * 3600;
  const m = Math.floor(t / 60);
  return { d, h, m, s: t - m * 60 };
}

/* A duration in words: days and hours, hours and minutes, or minutes and seconds. */
export function durationText(t, seconds) {
  const p = splitSeconds(seconds);
  if (p.d > 0) return t('queue.dur.dh', p);
  if (p.h > 0) return t('queue.dur.hm', p);
  return t('queue.dur.ms', p);
}

// One timer for every countdown on the page: `now` moves each second while any component
// that uses it is mounted.
const now = ref(Date.now());
let users = 0;
let timer = null;

export function useNow() {
  onMounted(() => {
    users++;
    now.value = Date.now();
    if (!timer) timer = setInterval(() => (now.value = Date.now()), 1000);
  });
  onUnmounted(() => {
    users--;
    if (users <= 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  });
  return now;
}
