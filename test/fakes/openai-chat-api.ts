/**
 * A small fake of the OpenAI Chat Completions API (`POST /v1/chat/completions`, streamed as SSE),
 * enough to drive OpenAI-compatible agent CLIs (Qwen Code, opencode) through scripted turns.
 *
 * Every main request (a user turn) consumes the next scripted turn; when the script is used up
 * the default reply is sent. Requests a CLI makes on its own (a session title, a "who speaks
 * next" check, model listing) are answered apart so they never eat a scripted turn.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatTurn {
  /** Assistant text streamed in chunks, `delayMs` apart. */
  chunks: string[];
  /** A function call streamed after the chunks (finish reason `tool_calls`); the next request carries its result. */
  toolCall?: { name: string; arguments: Record<string, unknown> };
  /** An HTTP error answer instead of a stream (`chunks` unused). */
  error?: { status: number; message?: string };
  delayMs?: number;
  /** After this many chunks, stop sending for `pauseMs` (a model that pauses mid-answer). */
  pauseAfterChunk?: number;
  pauseMs?: number;
}

export interface ChatScript {
  turns: ChatTurn[];
  /** Sent once the scripted turns are used up. */
  defaultReply?: string;
  /** Answer to side requests that want text (a session title). */
  title?: string;
  /** Which requests the CLI makes on its own (besides unstreamed ones); they never eat a turn. */
  sideRequest?: (body: any) => boolean;
  /** What a side request gets (default: the title, or a "who speaks next" verdict when asked for one). */
  sideReply?: (body: any) => string | undefined;
}

export interface ChatRequest {
  method: string;
  path: string;
  /** 'turn' consumed a scripted turn (or the default reply); 'side' was answered apart. */
  kind: 'turn' | 'side';
  body: any;
  turnIndex?: number;
  /** When the request arrived, and when its answer was fully sent. */
  at: number;
  endedAt?: number;
}

export interface FakeChatApi {
  /** Base URL for the CLI's OpenAI-compatible provider (ends in `/v1`). */
  url: string;
  requests: ChatRequest[];
  turnRequests(): ChatRequest[];
  close(): Promise<void>;
}

export const FAKE_CHAT_MODEL = 'fake-model';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageText(message: any): string {
  if (typeof message?.content === 'string') return message.content;
  if (Array.isArray(message?.content)) return message.content.map((p: any) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

/** A system prompt of the request, for telling a CLI's side requests from its turns. */
export function systemText(body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages.filter((m) => m?.role === 'system').map(messageText).join('\n');
}

/** Unstreamed requests and requests for structured output are always side requests. */
function isSideRequest(body: any, script: ChatScript): boolean {
  if (body?.stream !== true || body?.response_format) return true;
  return script.sideRequest?.(body) ?? false;
}

let idCounter = 0;
const nextId = () => `chatcmpl-${Date.now().toString(36)}${(++idCounter).toString(36)}`;

function chunkEvent(id: string, delta: Record<string, unknown>, finish: string | null): string {
  const payload = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: FAKE_CHAT_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] };
  return `data: ${JSON.stringify(payload)}\n\n`;
}

async function streamTurn(res: http.ServerResponse, turn: ChatTurn, isClosed: () => boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const id = nextId();
  res.write(chunkEvent(id, { role: 'assistant', content: '' }, null));
  for (const [i, chunk] of turn.chunks.entries()) {
    if (isClosed()) return;
    if (turn.delayMs) await sleep(turn.delayMs);
    if (turn.pauseAfterChunk === i && turn.pauseMs) await sleep(turn.pauseMs);
    res.write(chunkEvent(id, { content: chunk }, null));
  }
  if (turn.toolCall) {
    const call = { index: 0, id: `call_${id}`, type: 'function', function: { name: turn.toolCall.name, arguments: JSON.stringify(turn.toolCall.arguments) } };
    res.write(chunkEvent(id, { tool_calls: [call] }, null));
  }
  res.write(chunkEvent(id, {}, turn.toolCall ? 'tool_calls' : 'stop'));
  const usage = { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
  res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: FAKE_CHAT_MODEL, choices: [], usage })}\n\n`);
  res.write('data: [DONE]\n\n');
  res.end();
}

function sideAnswer(body: any, title: string): string {
  // Structured checks (Qwen Code's "who speaks next") want JSON; a title request wants a line.
  if (body?.response_format || body?.stream !== true) {
    const system = JSON.stringify(body?.messages ?? []);
    if (/next_speaker/.test(system)) return JSON.stringify({ reasoning: 'The model answered.', next_speaker: 'user' });
  }
  return title;
}

async function answerSide(res: http.ServerResponse, body: any, title: string, isClosed: () => boolean): Promise<void> {
  const text = sideAnswer(body, title);
  if (body?.stream === true) return streamTurn(res, { chunks: [text] }, isClosed);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: nextId(),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: FAKE_CHAT_MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    }),
  );
}

export async function startFakeChatApi(script: ChatScript): Promise<FakeChatApi> {
  const requests: ChatRequest[] = [];
  let nextTurn = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => res.destroy());
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const path = (req.url ?? '/').split('?')[0];
    const body = parseJson(raw);
    const record = (kind: ChatRequest['kind'], turnIndex?: number) => {
      const entry: ChatRequest = { method: req.method ?? 'GET', path, kind, body, turnIndex, at: Date.now() };
      requests.push(entry);
      res.on('finish', () => (entry.endedAt = Date.now()));
    };
    let closed = false;
    res.on('close', () => (closed = true));

    if (req.method === 'GET' && path.endsWith('/models')) {
      record('side');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: FAKE_CHAT_MODEL, object: 'model', owned_by: 'fake' }] }));
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      record('side');
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no fake for ${req.method} ${path}`, type: 'not_found' } }));
      return;
    }
    if (isSideRequest(body, script)) {
      record('side');
      return answerSide(res, body, script.sideReply?.(body) ?? script.title ?? 'Fake task', () => closed);
    }
    const turnIndex = nextTurn < script.turns.length ? nextTurn++ : undefined;
    record('turn', turnIndex);
    const turn = turnIndex === undefined ? { chunks: [script.defaultReply ?? 'OK'] } : script.turns[turnIndex];
    if (turn.error) {
      res.writeHead(turn.error.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: turn.error.message ?? `fake error ${turn.error.status}`, type: 'invalid_request_error' } }));
      return;
    }
    return streamTurn(res, turn, () => closed);
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
