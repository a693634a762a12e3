import { describe, expect, it } from 'vitest';
import { provider } from '../../providers/shell.js';
import { goldenCases } from './golden.js';

describe('shell provider on recorded screens', () => {
  const cases = goldenCases('shell');
  it('has golden screens', () => expect(cases.length).toBeGreaterThanOrEqual(7));
  for (const c of cases) {
    it(`${c.name}: ${c.expected.status}`, () => {
      expect(provider.detect(c.screen)).toBe(c.expected.status);
      if (c.expected.status === 'idle') expect(provider.lastResponse(c.screen)).toBe(c.expected.lastResponse);
    });
  }
  it('starts bash with the recognisable prompt and without the user rc files', () => {
    const spec = provider.launch({ terminalId: 'abcd1234', cwd: '/', runtimeDir: '/', mcp: { command: 'x', args: [], env: {} }, baseEnv: {} });
    expect(spec.argv).toEqual(['bash', '--noprofile', '--norc', '-i']);
    expect(spec.env?.PS1).toContain('[conductor]');
  });
  it('reads an empty screen as starting', () => expect(provider.detect('\n\n\n')).toBe('starting'));
});
