import { basename, join } from 'node:path';
import { entries, filesUnder, firstLine } from '../usage/readers/files.js';
import { codexReader } from '../usage/readers/codex.js';
import { geminiReader } from '../usage/readers/gemini.js';
import type { ResumeRecord } from './store.js';

/** Where a terminal's agent conversation stands: found (its id), none kept by this agent, or gone (why). */
export type Conversation = { kind: 'found'; id: string } | { kind: 'none' } | { kind: 'gone'; reason: string };

interface Terminal {
  cwd: string;
  createdAt: string;
}

/**
 * Finds the conversation a terminal's agent recorded in its own home:
 * - Claude Code: `projects/<folder>/<session-id>.jsonl`, the id assigned at launch;
 * - Codex: `sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`, the id known once it appears;
 * - Gemini CLI: `.gemini/tmp/<project>/chats/session-*.jsonl`, whose first line names its id.
 * An agent home shared with other sessions tells this terminal's apart by cwd and start time.
 */
export function locateConversation(record: ResumeRecord, terminal: Terminal): Conversation {
  if (!record.format || !record.agentHome) return { kind: 'none' };
  const home = record.agentHome;
  switch (record.format) {
    case 'claude_code': {
      const id = record.conversationId;
      if (!id) return { kind: 'gone', reason: 'no Claude session id was recorded at launch' };
      const found = entries(join(home, 'projects')).some((p) => p.isDir && entries(p.path).some((f) => f.name === `${id}.jsonl`));
      return found ? { kind: 'found', id } : { kind: 'gone', reason: `its conversation file ${id}.jsonl is gone from ${join(home, 'projects')}` };
    }
    case 'codex':
      return codexConversation(home, record.conversationId, terminal);
    case 'gemini_cli':
      return geminiConversation(home, record.conversationId, terminal);
  }
}

function startedAfterLaunch(file: string, origin: (file: string) => { cwd: string; startedAt: number } | null, t: Terminal): boolean {
  const o = origin(file);
  // A second of slack: an agent's own clock stamp may round below the launch time.
  return o !== null && o.cwd === t.cwd && o.startedAt >= Date.parse(t.createdAt) - 1000;
}

function codexConversation(home: string, known: string | null, t: Terminal): Conversation {
  const rollouts = codexReader.files({ dir: home, sessionId: null });
  if (known) {
    return rollouts.some((f) => basename(f).endsWith(`-${known}.jsonl`))
      ? { kind: 'found', id: known }
      : { kind: 'gone', reason: `its Codex rollout for session ${known} is gone from ${join(home, 'sessions')}` };
  }
  const mine = rollouts.filter((f) => startedAfterLaunch(f, codexReader.origin!, t));
  const payload = mine.length ? (firstLine(mine[0])?.payload as Record<string, unknown> | undefined) : undefined;
  if (typeof payload?.id === 'string') return { kind: 'found', id: payload.id };
  return { kind: 'gone', reason: `Codex recorded no session for ${t.cwd} in ${join(home, 'sessions')} (it writes one at the first prompt)` };
}

function geminiConversation(home: string, known: string | null, t: Terminal): Conversation {
  const chats = filesUnder(join(home, '.gemini', 'tmp'), (name) => name.startsWith('session-') && name.endsWith('.jsonl'));
  const idOf = (file: string) => firstLine(file)?.sessionId;
  if (known) {
    return chats.some((f) => idOf(f) === known)
      ? { kind: 'found', id: known }
      : { kind: 'gone', reason: `its Gemini CLI chat ${known} is gone from ${join(home, '.gemini', 'tmp')}` };
  }
  const mine = chats.filter((f) => startedAfterLaunch(f, geminiReader.origin!, t)).map(idOf);
  if (typeof mine[0] === 'string') return { kind: 'found', id: mine[0] };
  return { kind: 'gone', reason: `Gemini CLI recorded no chat for ${t.cwd} in ${join(home, '.gemini', 'tmp')} (it writes one at the first prompt)` };
}
