/**
 * A small fake of the Gemini API (generativelanguage v1beta) for driving the real
 * Gemini CLI in tests. Point the CLI at it with GOOGLE_GEMINI_BASE_URL=<url> and a
 * dummy GEMINI_API_KEY.
 *
 * Conversation turns arrive as `:streamGenerateContent?alt=sse` and consume the
 * scripted turns in order. The CLI also makes side requests (model routing
 * classifier, next-speaker and loop checks, summaries…) as plain `:generateContent`
 * calls; those are answered separately so they never eat a scripted turn.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FunctionCallSpec {
  name: string;
  args?: Record<string, unknown>;
}

/** Token figures the turn's usageMetadata reports; unset fields keep the defaults. `prompt` includes `cached`. */
export interface FakeUsage {
  prompt?: number;
  candidates?: number;
  cached?: number;
  thoughts?: number;
}

export type GeminiTurn =
  | {
      /** Text streamed as SSE events: one event per chunk. */
      text: string | string[];
      chunkDelayMs?: number;
      firstByteDelayMs?: number;
      usage?: FakeUsage;
    }
  | {
      functionCalls: FunctionCallSpec[];
      /** Optional text streamed before the calls. */
      text?: string;
      firstByteDelayMs?: number;
      usage?: FakeUsage;
    }
  | {
      error: { status: number; message?: string };
      /** How many consecutive conversation requests get this error (retries included). Default 1. */
      times?: number;
    };

export interface SideRule {
  /** Matched against the request body serialised as JSON. */
  match: RegExp;
  /** A string is sent as the text part; anything else is JSON-encoded. */
  reply: unknown;
}

export interface GeminiScript {
  turns?: GeminiTurn[];
  /** Sent once the scripted turns are used up. */
  defaultReply?: string;
  /** Extra answers for side requests, checked before the built-in ones. */
  side?: SideRule[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  model: string | null;
  kind: 'turn' | 'side' | 'count' | 'other';
  body: unknown;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** When its answer was fully written (the last streamed chunk included). */
  endedAt?: number;
}

export interface FakeGeminiApi {
  url: string;
  requests: RecordedRequest[];
  /** Conversation requests only, in order. */
  turns(): RecordedRequest[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Known side tasks, recognised by their prompt or response schema. */
const BUILTIN_SIDE: SideRule[] = [
  { match: /complexity_score/, reply: { complexity_reasoning: 'fake router', complexity_score: 10 } },
  { match: /model_choice/, reply: { reasoning: 'fake router', model_choice: 'flash' } },
  { match: /next_speaker/, reply: { reasoning: 'fake check', next_speaker: 'user' } },
  {
    match: /unproductive_state_confidence/,
    reply: { unproductive_state_analysis: 'fake check', unproductive_state_confidence: 0 },
  },
];

export async function startGeminiApi(script: GeminiScript = {}): Promise<FakeGeminiApi> {
  const turns = [...(script.turns ?? [])];
  const defaultReply = script.defaultReply ?? 'OK.';
  const sideRules = [...(script.side ?? []), ...BUILTIN_SIDE];
  const requests: RecordedRequest[] = [];
  let errorRepeatsLeft = 0;

  const nextTurn = (): GeminiTurn => {
    const turn = turns[0];
    if (!turn) return { text: defaultReply };
    if ('error' in turn) {
      if (errorRepeatsLeft === 0) errorRepeatsLeft = turn.times ?? 1;
      errorRepeatsLeft -= 1;
      if (errorRepeatsLeft === 0) turns.shift();
      return turn;
    }
    turns.shift();
    return turn;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : null;
      } catch {
        // keep the raw text
      }
      handle(req, res, body, raw).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: unknown,
    raw: string,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const modelMatch = /\/models\/([^/:]+)(?::(\w+))?$/.exec(url.pathname);
    const model = modelMatch?.[1] ?? null;
    const action = modelMatch?.[2];
    const record = (kind: RecordedRequest['kind']) => {
      const entry: RecordedRequest = { method, path: url.pathname + url.search, model, kind, body, at: Date.now() };
      res.on('finish', () => (entry.endedAt = Date.now()));
      requests.push(entry);
    };

    if (action === 'streamGenerateContent') {
      record('turn');
      await streamTurn(res, nextTurn());
      return;
    }
    if (action === 'generateContent') {
      record('side');
      sendJson(res, 200, response([{ text: sideReply(raw, body) }], 'STOP'));
      return;
    }
    if (action === 'countTokens') {
      record('count');
      sendJson(res, 200, { totalTokens: Math.ceil(raw.length / 4) });
      return;
    }
    if (method === 'GET' && /\/models\/?$/.test(url.pathname)) {
      record('other');
      sendJson(res, 200, { models: [] });
      return;
    }
    if (method === 'GET' && model) {
      record('other');
      sendJson(res, 200, { name: `models/${model}`, inputTokenLimit: 1048576, outputTokenLimit: 65536 });
      return;
    }
    record('other');
    sendJson(res, 404, apiError(404, `No fake for ${method} ${url.pathname}`));
  }

  function sideReply(raw: string, body: unknown): string {
    const rule = sideRules.find((r) => r.match.test(raw));
    if (rule) return typeof rule.reply === 'string' ? rule.reply : JSON.stringify(rule.reply);
    const config = (body as Json | null)?.['generationConfig'] as Json | undefined;
    const schema = config?.['responseJsonSchema'] ?? config?.['responseSchema'];
    if (schema) return JSON.stringify(sampleFromSchema(schema));
    return 'OK';
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns: () => requests.filter((r) => r.kind === 'turn'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function streamTurn(res: http.ServerResponse, turn: GeminiTurn): Promise<void> {
  if ('error' in turn) {
    const message = turn.error.message ?? `Fake error ${turn.error.status}`;
    sendJson(res, turn.error.status, apiError(turn.error.status, message));
    return;
  }
  if (turn.firstByteDelayMs) await sleep(turn.firstByteDelayMs);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: Json) => res.write(`data: ${JSON.stringify(event)}\r\n\r\n`);

  if ('functionCalls' in turn) {
    if (turn.text) send(response([{ text: turn.text }], undefined, turn.usage));
    const parts = turn.functionCalls.map((call) => ({
      functionCall: { name: call.name, args: call.args ?? {} },
    }));
    send(response(parts, 'STOP', turn.usage));
    res.end();
    return;
  }

  const pieces = Array.isArray(turn.text) ? turn.text : [turn.text];
  for (const [i, piece] of pieces.entries()) {
    if (i > 0 && turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
    if (res.destroyed) return;
    send(response([{ text: piece }], i === pieces.length - 1 ? 'STOP' : undefined, turn.usage));
  }
  res.end();
}

function response(parts: unknown[], finishReason?: string, figures: FakeUsage = {}): Json {
  const candidate: Json = { content: { role: 'model', parts }, index: 0 };
  if (finishReason) candidate['finishReason'] = finishReason;
  const prompt = figures.prompt ?? 100;
  const candidates = figures.candidates ?? 10;
  const usageMetadata: Json = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + (figures.thoughts ?? 0) };
  if (figures.cached) usageMetadata['cachedContentTokenCount'] = figures.cached;
  if (figures.thoughts) usageMetadata['thoughtsTokenCount'] = figures.thoughts;
  return { candidates: [candidate], usageMetadata };
}

function apiError(code: number, message: string): Json {
  const status =
    code === 429 ? 'RESOURCE_EXHAUSTED' : code === 400 ? 'INVALID_ARGUMENT' : code === 404 ? 'NOT_FOUND' : 'INTERNAL';
  return { error: { code, message, status } };
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

/** The smallest value a JSON schema (OpenAPI-style types too) accepts. */
function sampleFromSchema(schema: unknown): unknown {
  const s = (schema ?? {}) as Json;
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];
  switch (String(s['type'] ?? 'object').toLowerCase()) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default: {
      const props = (s['properties'] ?? {}) as Json;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleFromSchema(v)]));
    }
  }
}
