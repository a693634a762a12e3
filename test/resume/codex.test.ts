import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFakeOpenAiApi, type FakeOpenAiApi } from '../fakes/openai-api.js';
import { repoRoot, TestEnv } from '../helpers/env.js';
import { conversationSurvivesReboot } from './agent.js';

describe('resume after a reboot: Codex (real CLI, fake model API)', () => {
  const env = new TestEnv();
  const workdir = join(env.home, 'project');
  const answers: [string, string, string] = ['Alpha comes first.', 'Beta comes second.', 'Alpha and beta came before.'];
  let api: FakeOpenAiApi;

  beforeAll(async () => {
    api = await startFakeOpenAiApi({ turns: answers.map((text) => ({ kind: 'text' as const, chunks: [text] })) });
    mkdirSync(workdir, { recursive: true });
    env.env.PATH = `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH}`;
    env.env.CONDUCTOR_CODEX_BASE_URL = api.url;
    mkdirSync(join(env.home, 'profiles'), { recursive: true });
    writeFileSync(
      join(env.home, 'profiles', 'codex_default.md'),
      '---\nname: codex_default\ndescription: Codex with its default approval policy\nprovider: codex\npermissionMode: default\n---\nYou are a test agent.\n',
    );
  });
  afterAll(async () => {
    await env.cleanup();
    await api?.close();
  });

  it('continues the conversation after the reboot under the same id', async () => {
    await conversationSurvivesReboot({ env, launchArgs: ['--profile', 'codex_default'], cwd: workdir, answers, requestBodies: () => api.turnRequests().map((r) => r.body) });
  }, 240_000);
});
