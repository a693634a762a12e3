import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { conductorBin, type TestEnv } from './env.js';

export type ToolText = { content: Array<{ text: string }>; isError?: boolean };

export const textOf = (r: unknown) => (r as ToolText).content.map((c) => c.text).join('\n');

/** A real MCP client over stdio, as the agent in terminal `terminalId` would have (none: outside any terminal). */
export async function mcpClient(env: TestEnv, terminalId?: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [conductorBin, 'mcp'],
    env: { ...(process.env as Record<string, string>), ...env.env, ...(terminalId ? { CONDUCTOR_TERMINAL_ID: terminalId } : {}) },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(transport);
  return client;
}
