import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startGeminiApi, type FakeGeminiApi } from '../fakes/gemini-api.js';
import { repoRoot, TestEnv } from '../helpers/env.js';
import { conversationSurvivesReboot } from './agent.js';

describe('resume after a reboot: Gemini CLI (real CLI, fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  const answers: [string, string, string] = ['Alpha comes first.', 'Beta comes second.', 'Alpha and beta came before.'];
  let api: FakeGeminiApi;

  beforeAll(async () => {
    api = await startGeminiApi({ turns: answers.map((text) => ({ text })) });
    mkdirSync(workdir, { recursive: true });
    env.env.PATH = `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH}`;
    env.env.GOOGLE_GEMINI_BASE_URL = api.url;
    env.env.GEMINI_API_KEY = 'dummy-gemini-key-for-tests';
    // No profile: a profile's system prompt runs a SessionStart hook whose line can end up in the answer.
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('continues the conversation after the reboot under the same id', async () => {
    await conversationSurvivesReboot({ env, launchArgs: ['--provider', 'gemini_cli'], cwd: workdir, answers, requestBodies: () => api.turns().map((r) => r.body) });
  }, 240_000);
});
