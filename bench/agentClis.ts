import { join } from 'node:path';
import { requesterEnvironment } from '../src/terminal/environment.js';
import { startFakeAnthropicApi, type StaticTurn } from '../test/fakes/anthropic-api.js';
import { startGeminiApi } from '../test/fakes/gemini-api.js';
import { startFakeOpenAiApi } from '../test/fakes/openai-api.js';
import { ensureClaude, NEWEST_CLAUDE_VERSION, PINNED_CLAUDE_VERSION } from '../test/helpers/claudeVersions.js';
import { pathEnv, type StatusPath } from './agentTerminals.js';
import { findRepoRoot } from './world.js';

/** The real agent CLIs, each against the local fake of its model API, as the end-to-end tests run them. */

/** A model API fake as the bench reads it: the turns it answered (side requests left out), in order. */
export interface ModelFake {
  url: string;
  turns(): Array<{ at?: number; endedAt?: number }>;
  /** Every request, side requests (titles, routing, next-speaker checks) included. */
  requests(): Array<{ kind: string; at?: number; endedAt?: number }>;
  close(): Promise<void>;
}

export interface AgentCli {
  /** As printed, e.g. `Claude Code 2.1.197`. */
  label: string;
  /** For figure ids, e.g. `claude_2_1_197`. */
  key: string;
  provider: string;
  /** Starts a fake that streams `answers` in order (`CHUNKS` pieces each), and the launch environment that points the CLI at it. */
  start(answers: string[]): Promise<{ fake: ModelFake; launchEnv: (path: StatusPath) => Record<string, string> }>;
}

const CHUNKS = 8;
const CHUNK_DELAY_MS = 20;
const binDir = join(findRepoRoot(), 'node_modules', '.bin');

/** Cuts a text into `count` pieces of nearly equal length. */
export function split(text: string, count: number): string[] {
  const at = (i: number) => Math.round((i * text.length) / count);
  return Array.from({ length: count }, (_, i) => text.slice(at(i), at(i + 1))).filter(Boolean);
}

/** The bench's own environment, with the CLI's folder first on PATH and the path's setting. */
function launchEnvOf(bin: string, extra: Record<string, string>, path: StatusPath): Record<string, string> {
  return { ...requesterEnvironment(process.env), PATH: `${bin}:${process.env.PATH}`, ...extra, ...pathEnv(path) };
}

/** Claude Code streaming `text` in `CHUNKS` pieces; the pause fields make it fall silent mid-answer. */
export function claudeText(text: string, pause: { pauseAfterChunk?: number; pauseMs?: number } = {}): StaticTurn {
  return { kind: 'text', text, chunkSize: Math.ceil(text.length / CHUNKS), delayMs: CHUNK_DELAY_MS, ...pause };
}

const CLAUDE_API_KEY = 'sk-ant-test-dummy-key-0000000000000000';

/** The launch environment for the `claude` in `bin` against the fake at `url`. */
export function claudeEnv(bin: string, url: string, path: StatusPath): Record<string, string> {
  return launchEnvOf(bin, { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: CLAUDE_API_KEY }, path);
}

function claudeCode(version: string): AgentCli {
  return {
    label: `Claude Code ${version}`,
    key: `claude_${version.replaceAll('.', '_')}`,
    provider: 'claude_code',
    async start(answers) {
      const { binDir: claudeBin } = await ensureClaude(version);
      const api = await startFakeAnthropicApi({ turns: answers.map((a) => claudeText(a)) });
      return {
        fake: { url: api.url, turns: () => api.turnRequests(), requests: () => api.requests, close: () => api.close() },
        launchEnv: (path) => claudeEnv(claudeBin, api.url, path),
      };
    },
  };
}

const geminiCli: AgentCli = {
  label: 'Gemini CLI',
  key: 'gemini_cli',
  provider: 'gemini_cli',
  async start(answers) {
    const api = await startGeminiApi({ turns: answers.map((a) => ({ text: split(a, CHUNKS), chunkDelayMs: CHUNK_DELAY_MS })) });
    return {
      fake: { url: api.url, turns: () => api.turns(), requests: () => api.requests, close: () => api.close() },
      // A dummy key puts the provider in its isolated configuration mode.
      launchEnv: (path) => launchEnvOf(binDir, { GOOGLE_GEMINI_BASE_URL: api.url, GEMINI_API_KEY: 'dummy-gemini-key-for-bench' }, path),
    };
  },
};

const codexCli: AgentCli = {
  label: 'Codex',
  key: 'codex',
  provider: 'codex',
  async start(answers) {
    const api = await startFakeOpenAiApi({ turns: answers.map((a) => ({ kind: 'text' as const, chunks: split(a, CHUNKS), delayMs: CHUNK_DELAY_MS })) });
    return {
      fake: { url: api.url, turns: () => api.turnRequests(), requests: () => api.requests, close: () => api.close() },
      launchEnv: (path) => launchEnvOf(binDir, { CONDUCTOR_CODEX_BASE_URL: api.url }, path),
    };
  },
};

export const PINNED_CLAUDE = claudeCode(PINNED_CLAUDE_VERSION);
export const AGENT_CLIS: AgentCli[] = [PINNED_CLAUDE, claudeCode(NEWEST_CLAUDE_VERSION), geminiCli, codexCli];
