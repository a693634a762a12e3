import { afterAll, describe, expect, it } from 'vitest';
import { checkConsistency } from '../../bench/faults/consistency.js';
import { killDuringApprovalWait, killDuringFlowRun, killDuringHandoff } from '../../bench/faults/sigkill.js';
import { TestEnv } from '../helpers/env.js';

describe('a daemon SIGKILLed mid-work', () => {
  const env = new TestEnv();
  afterAll(() => env.cleanup());

  for (const [what, scenario] of [
    ['a handoff', killDuringHandoff],
    ['an approval wait', killDuringApprovalWait],
    ['a flow run', killDuringFlowRun],
  ] as const) {
    it(`is survived during ${what}: the work finishes, nothing is lost or repeated`, async () => {
      const f = await scenario(env);
      expect(f.detail).not.toMatch(/error/i);
      expect(f.survived, f.detail).toBe(true);
      expect(f.messages.lost).toBe(0);
      expect(f.messages.duplicated).toBe(0);
      expect(checkConsistency(env.layout.database).integrity).toBe('ok');
    }, 90_000);
  }
});
