import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAKE_CHAT_MODEL, systemText } from '../fakes/openai-chat-api.js';
import { OPENCODE } from '../helpers/exampleClis.js';
import { describeExampleEndToEnd } from './exampleEndToEnd.js';

/** examples/providers/opencode.yaml with real opencode 1.18.33 (see exampleEndToEnd.ts). */
describeExampleEndToEnd({
  name: 'opencode',
  cli: OPENCODE,
  process: /\bopencode\b/,
  rendered: [
    'Here is the plan for the parser.',
    '',
    '1. Read the config file.',
    '2. Parse the YAML body.',
    '',
    '- first point',
    '- second point',
    '',
    'const a = 1;',
    '',
    'That is all.',
  ].join('\n'),
  // On its screen alone, opencode's prompt box looks the same while the prompt is being sent as
  // when it is idle, so under load a turn can read as done before it began (docs/providers.md).
  paths: ['events'],
  // Its session title request.
  sideRequest: (body) => /title/i.test(systemText(body).slice(0, 300)),
  configure(env, apiUrl) {
    const xdg = join(env.home, 'xdg');
    const config = join(xdg, 'config', 'opencode');
    // opencode installs its plugin package into each config folder without node_modules, and waits
    // for the registry at start; offline, the folder says the package is there.
    mkdirSync(join(config, 'node_modules'), { recursive: true });
    writeFileSync(join(config, 'package-lock.json'), JSON.stringify({ packages: { '': { dependencies: { '@opencode-ai/plugin': '*' } } } }));
    const configFile = join(env.home, 'opencode.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        provider: { fake: { npm: '@ai-sdk/openai-compatible', name: 'Fake', options: { baseURL: apiUrl, apiKey: 'sk-test-dummy' }, models: { [FAKE_CHAT_MODEL]: { name: 'Fake model' } } } },
        model: `fake/${FAKE_CHAT_MODEL}`,
        autoupdate: false,
        share: 'disabled',
      }),
    );
    Object.assign(env.env, {
      XDG_CONFIG_HOME: join(xdg, 'config'),
      XDG_DATA_HOME: join(xdg, 'data'),
      XDG_CACHE_HOME: join(xdg, 'cache'),
      OPENCODE_CONFIG: configFile,
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      // Nothing may reach the network: a registry nobody listens on.
      npm_config_registry: 'http://127.0.0.1:9/',
    });
  },
});
