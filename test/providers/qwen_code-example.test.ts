import { join } from 'node:path';
import { systemText } from '../fakes/openai-chat-api.js';
import { QWEN_CODE } from '../helpers/exampleClis.js';
import { describeExampleEndToEnd } from './exampleEndToEnd.js';

/** examples/providers/qwen_code.yaml with real Qwen Code 0.24.4 (see exampleEndToEnd.ts). */
describeExampleEndToEnd({
  name: 'qwen_code',
  cli: QWEN_CODE,
  process: /\bqwen\b/,
  rendered: [
    'Here is the plan for the parser.',
    '',
    ' 1. Read the config file.',
    ' 2. Parse the YAML body.',
    '',
    ' - first point',
    ' - second point',
    '',
    ' 1 const a = 1;',
    '',
    'That is all.',
  ].join('\n'),
  // Its memory agent after a turn, and the follow-up suggestion it shows in the input box.
  sideRequest: (body) => /^You are now acting as/.test(systemText(body)) || /Reply with ONLY the suggestion/.test(JSON.stringify(body.messages?.at(-1) ?? '')),
  sideReply: () => '',
  configure(env, apiUrl) {
    // A home of its own (no sign-in stored) and a key in the shell: Qwen Code starts without a dialog.
    env.env.QWEN_HOME = join(env.home, 'qwen-home');
    env.env.OPENAI_API_KEY = 'sk-test-dummy';
    env.env.OPENAI_BASE_URL = apiUrl;
    env.env.OPENAI_MODEL = 'fake-model';
  },
});
