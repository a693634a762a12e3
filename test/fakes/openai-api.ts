/**
 * A small fake of the OpenAI Responses API (`POST /v1/responses`, streamed as SSE),
 * enough to drive the Codex CLI through scripted turns in tests.
 *
 * Every "main" request (a user turn, or the follow-up after a tool result) consumes the
 * next scripted turn; when the script is used up the default reply is sent. Side requests
 * that Codex makes on its own (thread-title generation, model listing) are answered apart
 * so they never eat a scripted turn.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Token figures `response.completed` reports; unset fields keep the defaults. `input` includes `cached`. */
export interface FakeUsage {
  input?: number;
  cached?: number;
  output?: number;
  reasoning?: number;
}

export type FakeTurn =
  /** Assistant text streamed in chunks, `delayMs` apart. */
  | { kind: 'text'; chunks: string[]; delayMs?: number; usage?: FakeUsage }
  /** A call to Codex's shell tool (`exec_command`). */
  | { kind: 'shell'; command: string; justification?: string; sandboxPermissions?: string; delayMs?: number; usage?: FakeUsage }
  /**
   * Any function call. MCP tools are offered as a `namespace` tool (`mcp__<server>__`)
   * holding one function per MCP tool, so a call names both.
   */
  | { kind: 'tool'; name: string; namespace?: string; arguments: Record<string, unknown>; delayMs?: number; usage?: FakeUsage }
  /** An HTTP error answer instead of a stream, for `times` consecutive requests (default 1): Codex retries. */
  | { kind: 'error'; status: number; message?: string; retryAfterSeconds?: number; times?: number };

export interface FakeScript {
  turns: FakeTurn[];
  /** Sent once the scripted turns are used up. */
  defaultReply?: string;
  /** Answer to thread-title requests. */
  title?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** 'turn' consumed a scripted turn; 'side' was answered apart. */
  kind: 'turn' | 'side';
  headers: http.IncomingHttpHeaders;
  body: any;
  /** Index of the scripted turn it consumed (undefined for side requests and default replies). */
  turnIndex?: number;
  /** When the request arrived, and when its answer was fully sent (the last chunk of a stream). */
  at?: number;
  endedAt?: number;
}

export interface FakeOpenAiApi {
  /** Base URL to configure as the provider's `base_url` (ends in `/v1`). */
  url: string;
  requests: RecordedRequest[];
  /** Requests that consumed a turn (or the default reply). */
  turnRequests(): RecordedRequest[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Title generation asks for a JSON object with a `title` property through a structured output schema. */
function isTitleRequest(body: any, headers: http.IncomingHttpHeaders): boolean {
  const meta = parseJson(String(headers['x-codex-turn-metadata'] ?? ''));
  if (meta?.thread_source === 'thread_title') return true;
  return Boolean(body?.text?.format?.schema?.properties?.title);
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

class SseWriter {
  private seq = 0;
  constructor(private res: http.ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  }
  send(type: string, payload: Record<string, unknown>): void {
    this.res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...payload })}\n\n`);
  }
  end(): void {
    this.res.end();
  }
}

let idCounter = 0;
const nextId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(++idCounter).toString(36)}`;

function usage(figures: FakeUsage = {}) {
  const input = figures.input ?? 100;
  const output = figures.output ?? 20;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: figures.cached ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: figures.reasoning ?? 0 },
    total_tokens: input + output,
  };
}

async function streamText(res: http.ServerResponse, chunks: string[], delayMs: number, isClosed: () => boolean, figures?: FakeUsage) {
  const sse = new SseWriter(res);
  const responseId = nextId('resp');
  const itemId = nextId('msg');
  sse.send('response.created', { response: { id: responseId, status: 'in_progress' } });
  sse.send('response.output_item.added', {
    output_index: 0,
    item: { type: 'message', id: itemId, role: 'assistant', status: 'in_progress', content: [] },
  });
  sse.send('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } });
  for (const chunk of chunks) {
    if (isClosed()) return;
    if (delayMs > 0) await sleep(delayMs);
    sse.send('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: chunk });
  }
  const text = chunks.join('');
  sse.send('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text });
  sse.send('response.output_item.done', {
    output_index: 0,
    item: { type: 'message', id: itemId, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] },
  });
  sse.send('response.completed', { response: { id: responseId, status: 'completed', usage: usage(figures) } });
  sse.end();
}

async function streamFunctionCall(
  res: http.ServerResponse,
  call: { name: string; namespace?: string; arguments: Record<string, unknown> },
  delayMs: number,
  figures?: FakeUsage,
) {
  const sse = new SseWriter(res);
  const responseId = nextId('resp');
  const item: Record<string, unknown> = {
    type: 'function_call',
    id: nextId('fc'),
    call_id: nextId('call'),
    name: call.name,
    arguments: JSON.stringify(call.arguments),
    status: 'completed',
  };
  if (call.namespace) item.namespace = call.namespace;
  sse.send('response.created', { response: { id: responseId, status: 'in_progress' } });
  if (delayMs > 0) await sleep(delayMs);
  sse.send('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
  sse.send('response.output_item.done', { output_index: 0, item });
  sse.send('response.completed', { response: { id: responseId, status: 'completed', usage: usage(figures) } });
  sse.end();
}

function sendError(res: http.ServerResponse, turn: Extract<FakeTurn, { kind: 'error' }>) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (turn.retryAfterSeconds !== undefined) headers['retry-after'] = String(turn.retryAfterSeconds);
  res.writeHead(turn.status, headers);
  const type = turn.status === 429 ? 'rate_limit_exceeded' : 'server_error';
  res.end(JSON.stringify({ error: { message: turn.message ?? `fake error ${turn.status}`, type, code: type } }));
}

export async function startFakeOpenAiApi(script: FakeScript): Promise<FakeOpenAiApi> {
  const requests: RecordedRequest[] = [];
  let nextTurn = 0;
  let errorRepeats = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => res.destroy());
    });
  });

  function takeTurn(): number | undefined {
    if (nextTurn >= script.turns.length) return undefined;
    const turn = script.turns[nextTurn];
    if (turn.kind === 'error' && ++errorRepeats < (turn.times ?? 1)) return nextTurn;
    errorRepeats = 0;
    return nextTurn++;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const path = (req.url ?? '/').split('?')[0];
    const body = parseJson(raw);
    const record = (kind: RecordedRequest['kind'], turnIndex?: number): RecordedRequest => {
      const entry: RecordedRequest = { method: req.method ?? 'GET', path, kind, headers: req.headers, body, turnIndex, at: Date.now() };
      requests.push(entry);
      res.on('finish', () => (entry.endedAt = Date.now()));
      return entry;
    };
    let closed = false;
    res.on('close', () => (closed = true));

    if (req.method === 'GET' && path.endsWith('/models')) {
      record('side');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'fake' }], models: [] }));
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/responses')) {
      record('side');
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no fake for ${req.method} ${path}`, type: 'not_found' } }));
      return;
    }
    if (isTitleRequest(body, req.headers)) {
      record('side');
      await streamText(res, [JSON.stringify({ title: script.title ?? 'Fake task' })], 0, () => closed);
      return;
    }

    const turnIndex = takeTurn();
    record('turn', turnIndex);
    const turn: FakeTurn = turnIndex === undefined ? { kind: 'text', chunks: [script.defaultReply ?? 'OK'] } : script.turns[turnIndex];
    switch (turn.kind) {
      case 'text':
        return streamText(res, turn.chunks, turn.delayMs ?? 0, () => closed, turn.usage);
      case 'shell': {
        const args: Record<string, unknown> = { cmd: turn.command };
        if (turn.justification) args.justification = turn.justification;
        if (turn.sandboxPermissions) args.sandbox_permissions = turn.sandboxPermissions;
        return streamFunctionCall(res, { name: 'exec_command', arguments: args }, turn.delayMs ?? 0, turn.usage);
      }
      case 'tool':
        return streamFunctionCall(res, turn, turn.delayMs ?? 0, turn.usage);
      case 'error':
        return sendError(res, turn);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    turnRequests: () => requests.filter((r) => r.kind === 'turn'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
