import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillTheDisk, mountSmallDisk, unmountSmallDisk } from '../../bench/faults/diskFull.js';
import { TestEnv } from '../helpers/env.js';

describe('a full disk', () => {
  const env = new TestEnv();
  let mounted = false;
  beforeAll(async () => {
    mounted = await mountSmallDisk(env);
    if (!mounted) console.warn('diskfull: this machine does not allow mounting a tmpfs (needs root): the full-disk test is skipped');
  });
  afterAll(async () => {
    await env.stopDaemon().catch(() => undefined);
    await env.tmux(['kill-server']);
    if (mounted) await unmountSmallDisk(env);
    await env.cleanup();
  });

  it('refuses writes with a clear 507 and exit code 11, keeps reading, and heals once space is freed, uncorrupted', async (ctx) => {
    if (!mounted) return ctx.skip();
    const f = await fillTheDisk(env);
    expect(f.writes[500]).toBeUndefined();
    expect(f.writes[507]).toBeGreaterThan(0);
    expect(f.refusal).toMatch(/^the disk holding CONDUCTOR_HOME is full \((SQLITE_FULL|ENOSPC|SQLITE_IOERR_WRITE)\): nothing was recorded; free some space and try again$/);
    expect(f.cli.exitCode).toBe(11);
    expect(f.cli.stderr).toMatch(/conductor: the disk holding CONDUCTOR_HOME is full/);
    expect(f.readsOk).toBe(true);
    expect(f.afterFreeing).toEqual({ status: 201, integrity: 'ok', orphans: 0 });
    expect(f.internalErrors).toBe(0);
  }, 120_000);
});
