import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { MessageRecord } from '../../src/inbox/schema.js';
import type { TestEnv } from '../../test/helpers/env.js';
import { checkConsistency } from './consistency.js';
import { internalErrorsLogged } from './daemonLog.js';

export const DISK_MB = 64;

/** Mounts a small tmpfs over the (still empty) test home; false when this machine does not allow it. */
export async function mountSmallDisk(env: TestEnv): Promise<boolean> {
  const r = await execa('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MB}m,mode=0700`, 'tmpfs', env.home], { reject: false });
  if (r.exitCode !== 0) return false;
  env.installFakeAgent();
  return true;
}

export async function unmountSmallDisk(env: TestEnv): Promise<void> {
  await execa('umount', ['-l', env.home], { reject: false });
}

/** Writes a filler file until the disk refuses; returns its path. */
function fillDisk(dir: string): string {
  const file = join(dir, 'filler.bin');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return file;
}

export interface DiskFullFigure {
  fault: string;
  survived: boolean;
  /** Statuses of writes attempted while the disk was full (201 if one still fit). */
  writes: Record<string, number>;
  /** The message a refused write gave, and the CLI's exit code and line for the same. */
  refusal: string | null;
  cli: { exitCode: number; stderr: string };
  readsOk: boolean;
  afterFreeing: { status: number; integrity: string; orphans: number };
  internalErrors: number;
}

/** CONDUCTOR_HOME fills up: writes fail with a clear 507, reads go on, and freeing space heals it. */
export async function fillTheDisk(env: TestEnv): Promise<DiskFullFigure> {
  const client = await env.client();
  const t = await env.launch(['--provider', 'shell', '--session', 'full']);
  const headers = { authorization: `Bearer ${client.state.token}`, 'content-type': 'application/json' };
  const filler = fillDisk(env.home);
  const writes: Record<string, number> = {};
  let refusal: string | null = null;
  const big = 'x'.repeat(256 * 1024);
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${client.baseUrl}/messages`, { method: 'POST', headers, body: JSON.stringify({ to: t.id, message: `${i} ${big}` }) });
    writes[res.status] = (writes[res.status] ?? 0) + 1;
    const body = (await res.json()) as { error?: { message: string } };
    if (res.status === 507) refusal = body.error?.message ?? null;
    if (res.status === 507 && (writes[507] ?? 0) >= 5) break;
  }
  const cli = await env.cli(['send', '--queue', t.id, '-'], { input: big });
  const reads = await Promise.all([fetch(`${client.baseUrl}/sessions`, { headers }), fetch(`${client.baseUrl}/health`)]);
  const readsOk = reads.every((r) => r.status === 200);
  rmSync(filler);
  const after = await fetch(`${client.baseUrl}/messages`, { method: 'POST', headers, body: JSON.stringify({ to: t.id, message: 'echo space again' }) });
  await after.json().catch(() => undefined as MessageRecord | undefined);
  const db = checkConsistency(env.layout.database);
  const internalErrors = internalErrorsLogged(env.layout.daemonLog).length;
  const afterFreeing = { status: after.status, integrity: db.integrity, orphans: db.totalOrphans };
  const statuses = Object.keys(writes).map(Number);
  return {
    fault: `full disk (a ${DISK_MB} MB tmpfs as CONDUCTOR_HOME)`,
    survived:
      statuses.includes(507) && statuses.every((s) => s === 201 || s === 507) && readsOk && after.status === 201 && db.integrity === 'ok' && internalErrors === 0,
    writes,
    refusal,
    cli: { exitCode: cli.exitCode ?? -1, stderr: String(cli.stderr).trim() },
    readsOk,
    afterFreeing,
    internalErrors,
  };
}
