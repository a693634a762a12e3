import type { Command } from 'commander';
import { action } from '../run.js';

export function register(program: Command): void {
  program
    .command('mcp')
    .description("run the conductor's MCP server on stdio (agents' MCP config starts this)")
    .action(
      action(async () => {
        const { runMcpServer } = await import('../../mcp/server.js');
        await runMcpServer();
      }),
    );
}
