import type { AgentEvent, EventEndpoint, ProviderEvents } from '../../src/providers/types.js';
import { text } from './payload.js';

/**
 * Claude Code's hooks that tell the conductor its state, posted by Claude itself as HTTP hooks
 * (no process is started for them). Each posts to `<endpoint>/<event>` with the terminal's secret.
 */
const EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'Notification', 'Stop', 'StopFailure', 'SessionEnd'];

/** Seconds Claude waits for the daemon's answer; a daemon that is down fails at once. */
const HTTP_TIMEOUT_S = 5;

type HookGroup = { matcher?: string; hooks: Array<Record<string, unknown>> };

/** The settings' `hooks` entries reporting to `endpoint`, merged with the conductor's approval gate. */
export function claudeHookSettings(endpoint: EventEndpoint, gate?: HookGroup): Record<string, HookGroup[]> {
  const hooks: Record<string, HookGroup[]> = {};
  for (const event of EVENTS) {
    const http = { type: 'http', url: `${endpoint.url}/${event}`, headers: { Authorization: `Bearer ${endpoint.secret}` }, timeout: HTTP_TIMEOUT_S };
    hooks[event] = [{ hooks: [http] }];
  }
  if (gate) hooks.PreToolUse.unshift(gate);
  return hooks;
}

function notification(payload: unknown): AgentEvent | null {
  const kind = text(payload, 'notification_type');
  const message = text(payload, 'message');
  if (kind === 'permission_prompt' || kind === 'elicitation_dialog' || (kind === undefined && /permission/i.test(message ?? ''))) {
    return { kind: 'waiting_input', detail: message };
  }
  return null; // idle_prompt, auth_success…: nothing changes
}

export const claudeEvents: ProviderEvents = {
  normalise(name, payload) {
    switch (name) {
      case 'SessionStart':
        return { kind: 'session_start' };
      case 'UserPromptSubmit':
        return { kind: 'turn_start', prompt: text(payload, 'prompt') };
      case 'PreToolUse':
        return { kind: 'tool_start' };
      case 'PostToolUse':
      case 'PostToolUseFailure':
        return { kind: 'tool_end' };
      case 'Notification':
        return notification(payload);
      case 'Stop':
        return { kind: 'turn_end', response: text(payload, 'last_assistant_message'), transcriptPath: text(payload, 'transcript_path') };
      case 'StopFailure':
        return { kind: 'turn_failed', detail: `the turn failed: ${text(payload, 'error') ?? 'API error'}` };
      case 'SessionEnd':
        return { kind: 'session_end' };
      default:
        return null;
    }
  },
};
