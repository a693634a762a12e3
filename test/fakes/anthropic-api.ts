/**
 * A small fake of the Anthropic Messages API (`POST /v1/messages`, streamed as SSE or as
 * one JSON body), enough to drive Claude Code through scripted turns in tests.
 *
 * Every "turn" request (a user prompt, or the follow-up that carries a tool result) consumes
 * the next scripted turn; when the script is used up the default reply is sent. Claude Code
 * also makes side requests of its own (session-title generation with a small model, …):
 * those carry no tools, are answered by `side` rules or a short default, and never eat a
 * scripted turn. Start-up probes (`HEAD /`, model listing, token counting) get a plain answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeTurn =
  /** A reply made from the request itself, e.g. to echo a tool result back. */
  | { kind: 'dynamic'; make: (body: any) => StaticTurn; startDelayMs?: number }
  | StaticTurn;

/** Token figures a response reports (Messages API names in brackets); unset fields keep the defaults. */
export interface FakeUsage {
  /** input_tokens */
  input?: number;
  /** output_tokens, reported in full when the message ends */
  output?: number;
  /** cache_read_input_tokens */
  cacheRead?: number;
  /** cache_creation_input_tokens */
  cacheWrite?: number;
}

export type StaticTurn =
  /**
   * Assistant text, streamed `chunkSize` characters at a time, `delayMs` apart.
   * `startDelayMs` (on any kind) holds the answer back first, like a model that is slow to start.
   */
  | {
      kind: 'text';
      text: string;
      chunkSize?: number;
      delayMs?: number;
      startDelayMs?: number;
      usage?: FakeUsage;
      /** After this many chunks, send nothing for `pauseMs` (a model that falls silent mid-answer). */
      pauseAfterChunk?: number;
      pauseMs?: number;
    }
  /**
   * A tool call, e.g. `{ name: 'Bash', input: { command: 'ls' } }` or an MCP tool
   * `mcp__<server>__<tool>`. `text` is optional prose streamed before the call.
   */
  | {
      kind: 'tool_use';
      name: string;
      input: Record<string, unknown>;
      id?: string;
      text?: string;
      delayMs?: number;
      startDelayMs?: number;
      usage?: FakeUsage;
    }
  /**
   * An HTTP error instead of a message. Claude Code retries 5xx/529 on its own, so `times`
   * (default 1) says how many consecutive requests get this error before the turn is used up.
   */
  | {
      kind: 'error';
      status: number;
      errorType?: string;
      message?: string;
      times?: number;
      /** Sent as `x-should-retry`; `false` makes the CLI give up at once instead of backing off. */
      shouldRetry?: boolean;
      startDelayMs?: number;
    };

export interface SideRule {
  /** Decides from the parsed request body whether this rule answers it. */
  match: (body: any) => boolean;
  reply: FakeTurn;
}

export interface FakeScript {
  turns?: FakeTurn[];
  /** Sent once the scripted turns are used up. */
  defaultReply?: FakeTurn;
  /** Rules for side requests, tried in order; unmatched side requests get a short text. */
  side?: SideRule[];
  /** Overrides how a turn request is told from a side request (default: it offers tools). */
  isTurn?: (body: any) => boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** 'turn' consumed a scripted turn (or the default), 'side' was answered apart, 'other' is not a message. */
  kind: 'turn' | 'side' | 'other';
  headers: http.IncomingHttpHeaders;
  body: any;
  /** Index of the scripted turn it consumed (undefined for default replies and side requests). */
  turnIndex?: number;
  at: number;
  /** When the answer was fully sent (the last chunk of a stream), if it was. */
  endedAt?: number;
}

export interface FakeAnthropicApi {
  /** Value for ANTHROPIC_BASE_URL (no trailing `/v1`). */
  url: string;
  requests: RecordedRequest[];
  /** Requests that consumed a turn (or the default reply). */
  turnRequests(): RecordedRequest[];
  /** Appends turns to the script while the server runs. */
  push(...turns: FakeTurn[]): void;
  close(): Promise<void>;
}

const DEFAULT_REPLY: FakeTurn = { kind: 'text', text: 'OK.' };
const SIDE_TITLE = 'Conductor session';

/** Default answer to a side request: session-title generation asks for JSON `{ "title": … }`. */
function defaultSideReply(body: any): FakeTurn {
  const wantsTitle = Boolean(body?.output_config?.format?.schema?.properties?.title);
  return { kind: 'text', text: wantsTitle ? JSON.stringify({ title: SIDE_TITLE }) : SIDE_TITLE };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function defaultIsTurn(body: any): boolean {
  return Array.isArray(body?.tools) && body.tools.length > 0;
}

/** The text of every `tool_result` block in a request's last user message. */
export function toolResults(body: any): string[] {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  if (!last || !Array.isArray(last.content)) return [];
  return last.content
    .filter((block: any) => block?.type === 'tool_result')
    .map((block: any) =>
      typeof block.content === 'string'
        ? block.content
        : (Array.isArray(block.content) ? block.content : [])
            .map((part: any) => (typeof part?.text === 'string' ? part.text : ''))
            .join(''),
    );
}

/** The plain text the user typed in a request's last user message (system reminders left out). */
export function lastUserText(body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = [...messages].reverse().find((m) => m?.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return (last.content as any[])
    .filter((block) => block?.type === 'text' && !String(block.text).startsWith('<system-reminder>'))
    .map((block) => block.text)
    .join('\n');
}

function chunk(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts.length ? parts : [''];
}

let idCounter = 0;
const nextId = (prefix: string) => `${prefix}_fake${(++idCounter).toString().padStart(6, '0')}`;

function usage(outputTokens: number, figures: FakeUsage = {}) {
  return {
    input_tokens: figures.input ?? 12,
    output_tokens: outputTokens,
    cache_creation_input_tokens: figures.cacheWrite ?? 0,
    cache_read_input_tokens: figures.cacheRead ?? 0,
    // As the real API sends it: the same cache writes, split by how long they are kept.
    cache_creation: { ephemeral_5m_input_tokens: figures.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
  };
}

function sendError(res: http.ServerResponse, turn: Extract<StaticTurn, { kind: 'error' }>): void {
  const errorType = turn.errorType ?? (turn.status === 529 ? 'overloaded_error' : 'api_error');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (turn.shouldRetry !== undefined) headers['x-should-retry'] = String(turn.shouldRetry);
  res.writeHead(turn.status, headers);
  res.end(JSON.stringify({ type: 'error', error: { type: errorType, message: turn.message ?? `Fake ${errorType}` } }));
}

/** Sends a text or tool_use turn as a complete (non-streamed) message. */
function sendMessage(res: http.ServerResponse, model: string, turn: Exclude<StaticTurn, { kind: 'error' }>): void {
  const content: any[] = [];
  if (turn.kind === 'text') content.push({ type: 'text', text: turn.text });
  else {
    if (turn.text) content.push({ type: 'text', text: turn.text });
    content.push({ type: 'tool_use', id: turn.id ?? nextId('toolu'), name: turn.name, input: turn.input });
  }
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': nextId('req') });
  res.end(
    JSON.stringify({
      id: nextId('msg'),
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: turn.kind === 'tool_use' ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: usage(turn.usage?.output ?? 10, turn.usage),
    }),
  );
}

/** Streams a text or tool_use turn as Messages API server-sent events. */
async function streamMessage(
  res: http.ServerResponse,
  model: string,
  turn: Exclude<StaticTurn, { kind: 'error' }>,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': nextId('req') });
  const send = (event: string, data: Record<string, unknown>) => {
    if (!res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  };
  const delayMs = turn.delayMs ?? 0;
  const text = turn.kind === 'text' ? turn.text : (turn.text ?? '');
  const chunkSize = turn.kind === 'text' ? (turn.chunkSize ?? 16) : 16;

  send('message_start', {
    message: { id: nextId('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage(1, turn.usage) },
  });
  let index = 0;
  if (turn.kind === 'text' || text) {
    send('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const [i, part] of chunk(text, chunkSize).entries()) {
      if (turn.kind === 'text' && turn.pauseAfterChunk === i && turn.pauseMs) await sleep(turn.pauseMs);
      if (delayMs) await sleep(delayMs);
      send('content_block_delta', { index, delta: { type: 'text_delta', text: part } });
    }
    send('content_block_stop', { index });
    index++;
  }
  if (turn.kind === 'tool_use') {
    if (delayMs) await sleep(delayMs);
    send('content_block_start', { index, content_block: { type: 'tool_use', id: turn.id ?? nextId('toolu'), name: turn.name, input: {} } });
    send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.input) } });
    send('content_block_stop', { index });
  }
  send('message_delta', {
    delta: { stop_reason: turn.kind === 'tool_use' ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { ...usage(turn.usage?.output ?? Math.max(1, Math.ceil(text.length / 4)), turn.usage) },
  });
  send('message_stop', {});
  res.end();
}

export async function startFakeAnthropicApi(script: FakeScript = {}): Promise<FakeAnthropicApi> {
  const turns = [...(script.turns ?? [])];
  let nextTurn = 0;
  let errorRepeats = 0;
  const requests: RecordedRequest[] = [];
  const isTurn = script.isTurn ?? defaultIsTurn;

  /** Picks the turn for a turn request; an error turn stays current for `times` requests. */
  function takeTurn(): { turn: FakeTurn; index?: number } {
    if (nextTurn >= turns.length) return { turn: script.defaultReply ?? DEFAULT_REPLY };
    const index = nextTurn;
    const turn = turns[index];
    if (turn.kind === 'error' && ++errorRepeats < (turn.times ?? 1)) return { turn, index };
    errorRepeats = 0;
    nextTurn++;
    return { turn, index };
  }

  async function answerMessages(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest) {
    const body = record.body ?? {};
    let scripted: FakeTurn;
    if (isTurn(body)) {
      const taken = takeTurn();
      record.kind = 'turn';
      record.turnIndex = taken.index;
      scripted = taken.turn;
    } else {
      record.kind = 'side';
      scripted = script.side?.find((rule) => rule.match(body))?.reply ?? defaultSideReply(body);
    }
    const turn: StaticTurn = scripted.kind === 'dynamic' ? scripted.make(body) : scripted;
    if (turn.startDelayMs) await sleep(turn.startDelayMs);
    if (turn.kind === 'error') return sendError(res, turn);
    const model = typeof body.model === 'string' ? body.model : 'claude-fake';
    if (body.stream) await streamMessage(res, model, turn);
    else sendMessage(res, model, turn);
    record.endedAt = Date.now();
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        kind: 'other',
        headers: req.headers,
        body: raw ? parseJson(raw) : undefined,
        at: Date.now(),
      };
      requests.push(record);
      const json = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'POST' && path === '/v1/messages') {
        answerMessages(req, res, record).catch(() => res.destroy());
      } else if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
        json(200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
      } else if (req.method === 'GET' && path === '/v1/models') {
        json(200, {
          data: [{ type: 'model', id: 'claude-fake', display_name: 'Claude Fake', created_at: '2025-01-01T00:00:00Z' }],
          has_more: false,
          first_id: 'claude-fake',
          last_id: 'claude-fake',
        });
      } else if (path === '/' && (req.method === 'HEAD' || req.method === 'GET')) {
        res.writeHead(200);
        res.end();
      } else {
        json(404, { type: 'error', error: { type: 'not_found_error', message: `Fake API has no ${req.method} ${path}` } });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turnRequests: () => requests.filter((r) => r.kind === 'turn'),
    push: (...more) => void turns.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
