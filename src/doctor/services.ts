/**
 * `conductor doctor`'s checks of the conductor itself: its daemon, and its MCP server as an
 * agent would reach it (a real MCP client over stdio).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { findDaemon, startDaemon } from '../cli/client.js';
import { ensureLayout, type HomeLayout } from '../config/paths.js';
import { VERSION } from '../version.js';
import type { CheckResult, Env } from './checks.js';

const MCP_TIMEOUT_MS = 20_000;

/** Is the daemon running? If not, can it start? (It is left running, as any command would.) */
export async function checkDaemon(l: HomeLayout): Promise<CheckResult> {
  const base = { id: 'daemon', required: true };
  const running = await findDaemon(l);
  if (running) {
    const { pid, port, version } = running.state;
    const details = { running: true, started: false, pid, port, version };
    if (version !== VERSION) {
      return {
        ...base,
        status: 'warn',
        summary: `running (pid ${pid}, port ${port}) but it is version ${version}, this CLI is ${VERSION}`,
        fix: 'restart it: conductor daemon stop && conductor daemon start (terminals keep running)',
        details,
      };
    }
    return { ...base, status: 'ok', summary: `running: pid ${pid}, port ${port}`, details };
  }
  try {
    const started = await startDaemon(ensureLayout(l));
    const { pid, port } = started.state;
    return { ...base, status: 'ok', summary: `was not running; started it: pid ${pid}, port ${port}`, details: { running: true, started: true, pid, port, version: started.state.version } };
  } catch (err) {
    return {
      ...base,
      status: 'fail',
      summary: `not running, and it does not start: ${(err as Error).message}`,
      fix: `run \`conductor daemon run\` to watch it start, and see ${l.daemonLog}`,
      details: { running: false },
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts `conductor mcp` the way an agent's MCP config does and lists its tools with a real
 * MCP client. No tool is called, so the daemon is not needed for this.
 */
export async function checkMcp(server: { command: string; args: string[] }, env: Env, timeoutMs = MCP_TIMEOUT_MS): Promise<CheckResult> {
  const base = { id: 'mcp', required: true };
  const commandLine = [server.command, ...server.args].join(' ');
  const cleanEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const transport = new StdioClientTransport({ command: server.command, args: server.args, env: cleanEnv, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const client = new Client({ name: 'conductor-doctor', version: VERSION });
  try {
    await withTimeout(client.connect(transport), timeoutMs, 'starting `conductor mcp`');
    const { tools } = await withTimeout(client.listTools(), timeoutMs, 'listing the MCP tools');
    const names = tools.map((t) => t.name);
    if (names.length === 0) {
      return { ...base, status: 'fail', summary: '`conductor mcp` answers but offers no tools', fix: 'rebuild the conductor: npm run build', details: { command: commandLine, tools: names } };
    }
    return { ...base, status: 'ok', summary: `\`conductor mcp\` answers over stdio with ${names.length} tools: ${names.join(', ')}`, details: { command: commandLine, tools: names } };
  } catch (err) {
    const lastErr = stderr.trim().split('\n').filter(Boolean).pop();
    return {
      ...base,
      status: 'fail',
      summary: `\`conductor mcp\` does not work over stdio: ${(err as Error).message}${lastErr ? ` (stderr: ${lastErr})` : ''}`,
      fix: `run \`${commandLine}\` by hand to see why; rebuild with \`npm run build\` if files are missing`,
      details: { command: commandLine },
    };
  } finally {
    await client.close().catch(() => undefined);
  }
}
