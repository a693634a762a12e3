import type { DaemonClient } from '../src/cli/client.js';
import { AGENT_CLIS } from './agentClis.js';
import { measureClaudePauseAndTyped } from './agentClaude.js';
import { measureAgentHandoff } from './agentHandoff.js';
import { measureFakeAgentPause } from './agentPause.js';
import { measureTurnLatency } from './agentTurnLatency.js';
import type { Figure } from './report.js';
import type { BenchWorld } from './world.js';

/**
 * The figures of the agents' own status events (issue #10), each next to the screen-only figure
 * measured in the same run (`CONDUCTOR_AGENT_EVENTS=off`, or a provider without events).
 * Several sections, so one CLI that cannot be measured does not take the others' figures along.
 */
export interface AgentStatusSection {
  name: string;
  measure(world: BenchWorld, client: DaemonClient): Promise<Figure[]>;
}

export const agentStatusSections: AgentStatusSection[] = [
  // The lightest first: the real CLIs after it load the machine.
  { name: 'agent status: handoff overhead', measure: measureAgentHandoff },
  { name: 'agent status: silent pause, fake agent', measure: measureFakeAgentPause },
  ...AGENT_CLIS.map((cli) => ({
    name: `agent status: turn end to completed, ${cli.label}`,
    measure: (world: BenchWorld, client: DaemonClient) => measureTurnLatency(world, client, cli),
  })),
  { name: 'agent status: silent pause and hand-typed prompts, Claude Code', measure: measureClaudePauseAndTyped },
];
