import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProviderBinary, compareVersions } from '../../src/doctor/checks.js';
import { provider as claude } from '../../providers/claude_code.js';

describe('doctor and the verified CLI versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-doctor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fakeClaude = (version: string) => {
    writeFileSync(join(dir, 'claude'), `#!/bin/sh\necho '${version} (Claude Code)'\n`);
    chmodSync(join(dir, 'claude'), 0o755);
    return { PATH: `${dir}:/usr/bin:/bin` };
  };

  it('compares dotted versions by number', () => {
    expect(compareVersions('2.1.332', '2.1.197')).toBeGreaterThan(0);
    expect(compareVersions('2.1.40', '2.1.332')).toBeLessThan(0);
    expect(compareVersions('2.1.197', '2.1.197')).toBe(0);
    expect(compareVersions('0.170.0-alpha', '0.169.0')).toBeGreaterThan(0);
  });

  it('is content with a verified version, and warns about a newer one, saying what still works', async () => {
    expect(claude.verifiedVersions).toEqual(['2.1.197', '2.1.332']);
    const verified = await checkProviderBinary(claude, fakeClaude('2.1.332'));
    expect(verified.status).toBe('ok');
    const newer = await checkProviderBinary(claude, fakeClaude('2.1.400'));
    expect(newer.status).toBe('warn');
    expect(newer.summary).toMatch(/claude 2\.1\.400 .* is newer than the newest verified version \(2\.1\.332\)/);
    expect(newer.fix).toMatch(/still work.*install a verified version \(2\.1\.197, 2\.1\.332\)/);
  });
});
