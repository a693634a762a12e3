import { homedir } from 'node:os';
import type { HomeLayout } from '../config/paths.js';
import { listProviders } from '../providers/registry.js';
import { selfCommand } from '../runtime.js';
import { checkProviderAuth, checkProviderBinary, checkTmux, type CheckResult, type Env } from './checks.js';
import { checkDaemon, checkMcp } from './services.js';

export interface DoctorReport {
  /** Every required check passed (missing providers are only warnings). */
  ok: boolean;
  checks: CheckResult[];
}

/** Runs every check: the system ones first, then each provider's program and login. */
export async function runDoctor(l: HomeLayout, env: Env = process.env): Promise<DoctorReport> {
  const listing = listProviders(l.providers);
  const home = env.HOME || homedir();
  const [tmux, daemon, mcp, programs] = await Promise.all([
    checkTmux(env),
    checkDaemon(l),
    checkMcp(selfCommand('mcp'), env),
    Promise.all(listing.providers.map((e) => checkProviderBinary(e.provider, env, e.file))),
  ]);
  const logins = listing.providers.flatMap((e) => checkProviderAuth(e.provider.name, env, home) ?? []);
  const invalid: CheckResult[] = listing.invalid.map((bad) => ({
    id: `provider-file:${bad.file}`,
    required: false,
    status: 'warn',
    summary: `provider file skipped: ${bad.error}`,
    fix: `fix the file, or remove it (${bad.file})`,
  }));
  const checks = [tmux, daemon, mcp, ...programs, ...invalid, ...logins];
  return { ok: checks.every((c) => !c.required || c.status !== 'fail'), checks };
}
