import type { EventEndpoint, ProviderEvents } from '../../src/providers/types.js';
import { text } from './payload.js';

/**
 * Codex reports a finished turn through its `notify` program, which it runs with the event as a
 * JSON argument (`{"type":"agent-turn-complete","last-assistant-message":…}`).
 */
export function codexNotify(endpoint: EventEndpoint): string[] {
  return [...endpoint.command, 'notify'];
}

export const codexEvents: ProviderEvents = {
  normalise(name, payload) {
    if (name !== 'notify') return null;
    switch (text(payload, 'type')) {
      case 'agent-turn-complete':
        return { kind: 'turn_end', response: text(payload, 'last-assistant-message') };
      default:
        return null;
    }
  },
};
