import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFakeOpenAiApi, type FakeOpenAiApi } from '../fakes/openai-api.js';
import { TestEnv } from '../helpers/env.js';
import { conversationSurvivesReboot } from './agent.js';
import { useFakeCodex, writeCodexDefaultProfile } from '../e2e/shared.js';

describe('resume after a reboot: Codex (real CLI, fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  const answers: [string, string, string] = ['Alpha comes first.', 'Beta comes second.', 'Alpha and beta came before.'];
  let api: FakeOpenAiApi;

  beforeAll(async () => {
    api = await startFakeOpenAiApi({ turns: answers.map((text) => ({ kind: 'text' as const, chunks: [text] })) });
    mkdirSync(workdir, { recursive: true });
    useFakeCodex(env, api.url);
    writeCodexDefaultProfile(env);
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('continues the conversation after the reboot under the same id', async () => {
    await conversationSurvivesReboot({ env, launchArgs: ['--profile', 'codex_default'], cwd: workdir, answers, requestBodies: () => api.turnRequests().map((r) => r.body) });
  }, 240_000);
});
