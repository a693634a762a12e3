import type { Terminal, Usage } from './types';

export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function ago(iso: string | null, now = Date.now()): string {
  return iso ? `${duration(now - Date.parse(iso))} ago` : '–';
}

const ACTIVE = new Set(['busy', 'starting']);

/** "busy 12s" or "idle 3m 4s": how long it has been in its present state. */
export function activity(t: Terminal, since: string, now = Date.now()): string {
  const label = ACTIVE.has(t.status) ? 'active' : t.status === 'exited' || t.status === 'lost' ? t.status : 'idle';
  return `${label} ${duration(now - Date.parse(since))}`;
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function tokens(u: Usage | null | undefined): string {
  if (!u || u.inputTokens === null) return '–';
  const total = (u.inputTokens ?? 0) + (u.outputTokens ?? 0) + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
  return compact(total);
}

export function cost(u: Usage | null | undefined): string {
  if (!u || u.costUsd === null) return '–';
  return `$${u.costUsd < 1 ? u.costUsd.toFixed(3) : u.costUsd.toFixed(2)}`;
}

/** The worktree's branch, or the working folder's last part (the whole path is in the tooltip). */
export function place(t: Terminal): string {
  if (t.worktree) return `⎇ ${t.worktree.branch}`;
  return t.cwd.split('/').filter(Boolean).at(-1) ?? t.cwd;
}
