import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import fc from 'fast-check';
import type { DaemonClient } from '../../src/cli/client.js';
import type { Runtime } from '../../src/runtime.js';
import { createApp } from '../../src/server/app.js';

/** Every route the daemon serves, read from the app itself, so a route added later is fuzzed too. */
export function daemonRoutes(): Array<{ method: string; path: string }> {
  const unused = new Proxy({}, { get: () => undefined }) as Runtime;
  const app = createApp(unused, 'unused-token', { onStream: () => () => undefined });
  const seen = new Set<string>();
  const routes: Array<{ method: string; path: string }> = [];
  for (const r of app.routes) {
    if (r.method === 'ALL' || seen.has(`${r.method} ${r.path}`)) continue;
    seen.add(`${r.method} ${r.path}`);
    routes.push({ method: r.method, path: r.path });
  }
  return routes;
}

/** Ids and names that exist in the world being fuzzed, so inputs reach past the 404s. */
export interface KnownIds {
  terminals: string[];
  sessions: string[];
  approvals: string[];
}

/** Field names the daemon's schemas use: random objects built from them get past "unknown field". */
const FIELDS = [
  'provider', 'profile', 'name', 'cwd', 'env', 'callerTerminalId', 'text', 'enter', 'keys', 'to', 'message', 'decision',
  'note', 'decider', 'by', 'terminal', 'tool', 'input', 'action', 'reason', 'details', 'requester', 'expiresIn', 'timeout',
  'keep', 'caller', 'file', 'content', 'force', 'mode', 'launchEnv', 'handle', 'wait', 'all', 'direction', 'state', 'since',
];
/** Profiles a fuzzed launch may name: the fake agent's, never one that starts a real model CLI. */
const SAFE_WORDS = ['shell', 'fake_agent', 'nope', '', ' ', '..', '../etc', '%00', '\u0000', 'a'.repeat(300), '💥', 'true', '-1', '1e309'];

function adversarialString(known: KnownIds): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(...SAFE_WORDS),
    fc.constantFrom(...known.terminals, ...known.sessions, ...known.approvals, 'deadbeef', 'a-00000000', 'h-00000000'),
    fc.constantFrom('/', '/nonexistent/dir', '\\\\', '${HOME}', '$(id)', '`id`', "'; drop table terminals; --", '\n\r\t'),
  );
}

function leafValue(known: KnownIds): fc.Arbitrary<unknown> {
  return fc.oneof(
    adversarialString(known),
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308),
    fc.boolean(),
    fc.constant(null),
    fc.array(adversarialString(known), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  );
}

/** A request body: a schema-shaped object, any JSON, or bytes that are not JSON at all. */
export function bodyArbitrary(known: KnownIds): fc.Arbitrary<string | undefined> {
  const shaped = fc.dictionary(fc.constantFrom(...FIELDS), leafValue(known), { maxKeys: 5 }).map((o) => JSON.stringify(o));
  return fc.oneof(
    { weight: 5, arbitrary: shaped },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.constantFrom('{', '[]', 'null', '"x"', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {}}}', `${'['.repeat(5000)}${']'.repeat(5000)}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function queryArbitrary(known: KnownIds): fc.Arbitrary<string> {
  const pair = fc.tuple(fc.constantFrom(...FIELDS, 'types', 'terminal', 'session'), fc.oneof(adversarialString(known), fc.constantFrom('0', '50', 'true', 'false', 'full', 'screen', 'last', '-5', 'NaN')));
  return fc
    .array(pair, { maxLength: 3 })
    .map((pairs) => pairs.filter(([k, v]) => k !== 'wait' || /^\d{1,3}$/.test(v)))
    .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs)}` : ''));
}

export interface FuzzRequest {
  method: string;
  path: string;
  body: string | undefined;
}

export function requestArbitrary(routes: Array<{ method: string; path: string }>, known: KnownIds): fc.Arbitrary<FuzzRequest> {
  return fc.record({ route: fc.constantFrom(...routes), segments: fc.array(adversarialString(known), { minLength: 4, maxLength: 4 }), query: queryArbitrary(known), body: bodyArbitrary(known) }).map(({ route, segments, query, body }) => {
    let i = 0;
    const path = route.path.replace(/:[A-Za-z]+/g, () => encodeURIComponent(segments[i++] || 'x'));
    return { method: route.method, path: `${path}${query}`, body: route.method === 'GET' ? undefined : body };
  });
}

export interface FuzzStats {
  requests: number;
  byStatus: Record<string, number>;
  serverErrors: Array<{ request: FuzzRequest; status: number; body: string }>;
  /** Requests that got no answer within the per-request timeout (counted, not hidden). */
  unanswered: number;
}

/** Sends one request; an event stream is closed as soon as its status is known. */
export async function send(client: DaemonClient, r: FuzzRequest, stats: FuzzStats, timeoutMs = 10_000): Promise<number> {
  stats.requests++;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(`${client.baseUrl}${r.path}`, {
      method: r.method,
      headers: { authorization: `Bearer ${client.state.token}`, 'content-type': 'application/json' },
      body: r.body,
      signal: controller.signal,
    });
    const text = res.headers.get('content-type')?.includes('event-stream') ? '' : await res.text();
    controller.abort();
    stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
    if (res.status >= 500) stats.serverErrors.push({ request: r, status: res.status, body: text.slice(0, 300) });
    return res.status;
  } catch {
    stats.unanswered++;
    return 0;
  } finally {
    clearTimeout(timer);
  }
}

export function emptyStats(): FuzzStats {
  return { requests: 0, byStatus: {}, serverErrors: [], unanswered: 0 };
}

/** Random and adversarial requests to every route; fast-check shrinks any 5xx to a minimal request. */
export async function fuzzHttp(client: DaemonClient, known: KnownIds, numRuns: number, seed?: number): Promise<{ stats: FuzzStats; failure: string | null }> {
  const stats = emptyStats();
  const result = await fc.check(
    fc.asyncProperty(requestArbitrary(daemonRoutes(), known), async (r) => (await send(client, r, stats)) < 500),
    { numRuns, seed, endOnFailure: true },
  );
  return { stats, failure: result.failed ? `${fc.defaultReportMessage(result) ?? 'failed'}` : null };
}

export interface McpFuzzStats {
  calls: number;
  tools: string[];
  /** Tool results that say the daemon failed inside (its 500s) or the MCP server itself crashed. */
  crashes: Array<{ tool: string; args: unknown; text: string }>;
}

/** Random arguments to every MCP tool, built from each tool's own input schema and beyond it. */
export async function fuzzMcp(opts: { bin: string; env: Record<string, string>; known: KnownIds; numRuns: number; seed?: number }): Promise<{ stats: McpFuzzStats; failure: string | null; alive: boolean }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [opts.bin, 'mcp'], env: opts.env, stderr: 'ignore' });
  const client = new Client({ name: 'fuzz', version: '1' });
  await client.connect(transport);
  const stats: McpFuzzStats = { calls: 0, tools: [], crashes: [] };
  try {
    const { tools } = await client.listTools();
    stats.tools = tools.map((t) => t.name);
    const call = fc.constantFrom(...tools).chain((tool) => {
      const keys = Object.keys((tool.inputSchema as { properties?: Record<string, unknown> }).properties ?? {});
      const args = fc.dictionary(fc.constantFrom(...keys, ...FIELDS.slice(0, 6)), leafValue(opts.known), { maxKeys: keys.length + 1 });
      return fc.record({ name: fc.constant(tool.name), args });
    });
    const result = await fc.check(
      fc.asyncProperty(call, async ({ name, args }) => {
        stats.calls++;
        let text: string;
        try {
          const r = (await client.callTool({ name, arguments: args as Record<string, unknown> }, undefined, { timeout: 20_000 })) as { content?: Array<{ text?: string }> };
          text = (r.content ?? []).map((c) => c.text ?? '').join('\n');
        } catch (err) {
          // Invalid arguments are refused by the protocol layer (an MCP error): that is a 4xx, not a crash.
          text = (err as Error).message;
          if (/-32602|Invalid arguments|Input validation error/i.test(text)) return true;
          if (/timed out/i.test(text)) return true;
        }
        const crashed = /internal error|the conductor failed|daemon answered HTTP 5/i.test(text);
        if (crashed) stats.crashes.push({ tool: name, args, text: text.slice(0, 300) });
        return !crashed;
      }),
      { numRuns: opts.numRuns, seed: opts.seed, endOnFailure: true },
    );
    const alive = await client.listTools().then(() => true, () => false);
    return { stats, failure: result.failed ? `${fc.defaultReportMessage(result) ?? 'failed'}` : null, alive };
  } finally {
    await client.close().catch(() => undefined);
  }
}
