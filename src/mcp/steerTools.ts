import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { InterruptReport } from '../terminal/interrupt.js';
import type { ToolKit } from './server.js';

/** interrupt: a supervisor stops one of its workers' current turn. */
export function registerSteerTools(server: McpServer, kit: ToolKit): void {
  const { daemon, self, guarded, text, failure } = kit;

  server.registerTool(
    'interrupt',
    {
      description:
        "Stop a worker's current turn at once (its own interrupt key, e.g. Escape), when it is going the wrong way. " +
        'Only for terminals you started and their workers. Then tell it what to do instead with send_message.',
      inputSchema: {
        terminal: z.string().describe('the worker terminal id (see list_terminals: startedBy is you)'),
        timeout: z.number().int().min(1).max(120).optional().describe('seconds the worker has to stop (default 5)'),
      },
    },
    guarded(async (a) => {
      if (!self) return failure('interrupt needs to know who is calling: run it from a conductor terminal (CONDUCTOR_TERMINAL_ID is not set)');
      const r = await (await daemon()).post<InterruptReport>(`/terminals/${encodeURIComponent(a.terminal)}/interrupt`, {
        by: self,
        timeout: a.timeout,
      });
      if (r.before !== 'busy') return text(`Terminal ${r.terminalId} was not busy (${r.before}); sent ${r.keys.join(' ')} anyway.`);
      return text(`Interrupted terminal ${r.terminalId} (${r.keys.join(' ')}); it is now ${r.status}. Send it new instructions with send_message.`);
    }),
  );
}
