import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { providerFromConfig, userProviderSchema } from '../../src/providers/userProvider.js';
import { goldenCases } from './golden.js';

const file = fileURLToPath(new URL('../fixtures/fake-agent.provider.yaml', import.meta.url));
// As TestEnv installs it: {{fixtures}} is the fixture's own placeholder, filled in before loading.
const text = readFileSync(file, 'utf8').replaceAll('{{fixtures}}', fileURLToPath(new URL('../fixtures', import.meta.url)));
const provider = providerFromConfig(userProviderSchema.parse(YAML.parse(text)));

describe('the fake agent, read through a user provider file, on recorded screens', () => {
  const cases = goldenCases('fake_agent');
  it('has golden screens', () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const c of cases) {
    it(`${c.name}: ${c.expected.status}`, () => {
      expect(provider.detect(c.screen)).toBe(c.expected.status);
      expect(provider.lastResponse(c.screen)).toBe(c.expected.lastResponse);
    });
  }
});
