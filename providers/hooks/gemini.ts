import { readFileSync } from 'node:fs';
import type { AgentEvent, EventEndpoint, ProviderEvents } from '../../src/providers/types.js';
import { commandLine, field, text } from './payload.js';

/** Gemini CLI's hooks (command hooks only in 0.61): each runs the conductor's fast hook script. */
const EVENTS = ['SessionStart', 'BeforeAgent', 'AfterAgent', 'BeforeTool', 'AfterTool', 'Notification', 'SessionEnd'];

/** Milliseconds Gemini gives a hook; the script itself gives up on the daemon after 5 s. */
const HOOK_TIMEOUT_MS = 10_000;

type HookGroup = { matcher?: string; hooks: Array<Record<string, unknown>> };

/** The settings' `hooks` entries reporting to `endpoint`, after any the provider has of its own. */
export function geminiHookSettings(endpoint: EventEndpoint, own: Record<string, HookGroup[]> = {}): Record<string, HookGroup[]> {
  const hooks: Record<string, HookGroup[]> = { ...own };
  for (const event of EVENTS) {
    // One short name: Gemini shows `Executing Hook: <name>` under the transcript while a hook runs.
    const hook = { type: 'command', name: 'conductor', command: commandLine([...endpoint.command, event]), timeout: HOOK_TIMEOUT_MS };
    hooks[event] = [...(hooks[event] ?? []), { hooks: [hook] }];
  }
  return hooks;
}

export const geminiEvents: ProviderEvents = {
  answerFromTranscript: lastGeminiAnswer,
  normalise(name, payload): AgentEvent | null {
    switch (name) {
      case 'SessionStart':
        return { kind: 'session_start' };
      case 'BeforeAgent':
        return { kind: 'turn_start', prompt: text(payload, 'prompt') };
      case 'BeforeTool':
        return { kind: 'tool_start' };
      case 'AfterTool':
        return { kind: 'tool_end' };
      case 'Notification':
        return text(payload, 'notification_type') === 'ToolPermission' ? { kind: 'waiting_input', detail: text(payload, 'message') } : null;
      case 'AfterAgent':
        return { kind: 'turn_end', response: text(payload, 'prompt_response'), transcriptPath: text(payload, 'transcript_path') };
      case 'SessionEnd':
        return { kind: 'session_end' };
      default:
        return null;
    }
  },
};

/** A model message's text: a string, or parts with `text`. */
function messageText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((part) => text(part, 'text')).filter((t): t is string => t !== undefined);
  return texts.length ? texts.join('') : undefined;
}

/**
 * The last model message with text in Gemini's chat record (one JSON object per line, `type:
 * "gemini"` for the model's messages): the answer after the turn's last tool call.
 */
export function lastGeminiAnswer(transcriptPath: string): string | undefined {
  let lines: string[];
  try {
    lines = readFileSync(transcriptPath, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].includes('"gemini"')) continue;
    let record: unknown;
    try {
      record = JSON.parse(lines[i]);
    } catch {
      continue;
    }
    if (text(record, 'type') !== 'gemini') continue;
    const answer = messageText(field(record, 'content'));
    if (answer?.trim()) return answer;
  }
  return undefined;
}
