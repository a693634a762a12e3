import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRecord } from '../../src/approval/schema.js';
import { openEvents } from '../../src/cli/events.js';
import { recordedPrompts, waitUntilDeliveredAndAnswered, writeFakeProfile } from '../helpers/agents.js';
import { execa } from 'execa';
import { conductorBin, TestEnv } from '../helpers/env.js';
import { waitForFile } from '../helpers/wait.js';

const RISKY = { match: '^RISKY (.*)$', flags: 'm', tool: { name: 'request_approval', arguments: { action: '{{1}}', reason: 'the task needs it' } }, answer: 'Decision: {{result}}' };

describe('approvals', () => {
  const env = new TestEnv();
  const audit = () =>
    readFileSync(join(env.home, 'approvals', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; id: string; note?: string });
  const expectedAudit: Array<[string, string]> = [];

  beforeAll(() => {
    writeFakeProfile(env, 'careful', [RISKY]);
    writeFakeProfile(env, 'hasty', [RISKY], { CONDUCTOR_MCP_WAIT_SECONDS: '1' });
    writeFakeProfile(env, 'asker', [{ match: '^DELETE', ask: 'delete the database?' }]);
  });
  afterAll(() => env.cleanup());

  async function requestFrom(profile: string, what: string, session: string): Promise<{ terminal: string; approval: ApprovalRecord }> {
    const t = await env.launch(['--profile', profile, '--session', session]);
    const client = await env.client();
    const events = await openEvents(client, { terminal: t.id, types: 'approval.requested' });
    await env.cliOk(['send', t.id, `RISKY ${what}`]);
    const e = await events.next();
    events.close();
    const approval = await client.get<ApprovalRecord>(`/approvals/${e!.data.approvalId}`);
    expectedAudit.push([approval.id, 'requested']);
    return { terminal: t.id, approval };
  }

  it('holds an agent until `conductor approve` releases it with the note', async () => {
    const { terminal, approval } = await requestFrom('careful', 'git push origin main', 'a1');
    const listed = JSON.parse(await env.cliOk(['approvals', '--json'])).approvals as ApprovalRecord[];
    expect(listed.find((a) => a.id === approval.id)).toMatchObject({ action: 'git push origin main', reason: 'the task needs it', requester: terminal, state: 'pending' });
    expect(await env.cliOk(['approvals'])).toMatch(new RegExp(`${approval.id}\\s+pending\\s+${terminal}`));
    expect((await env.cli(['approve', approval.id, '--note', 'go ahead'])).exitCode).toBe(0);
    expectedAudit.push([approval.id, 'approved']);
    await env.waitForStatus(terminal, ['completed']);
    expect(await env.cliOk(['output', terminal, '--last'])).toMatch(/^Decision: APPROVED by human.*: go ahead\. You may go ahead with: git push origin main/);
  });

  it('returns the reason of a denial', async () => {
    const { terminal, approval } = await requestFrom('careful', 'rm -rf build', 'a2');
    await env.cliOk(['deny', approval.id, '--reason', 'not on a Friday']);
    expectedAudit.push([approval.id, 'denied']);
    await env.waitForStatus(terminal, ['completed']);
    expect(await env.cliOk(['output', terminal, '--last'])).toMatch(/^Decision: DENIED by human.*: not on a Friday\. Do not do it/);
  });

  it('delivers a decision that comes after the wait to the requester’s inbox', async () => {
    const { terminal, approval } = await requestFrom('hasty', 'npm publish', 'a3');
    await env.waitForStatus(terminal, ['completed']);
    expect(await env.cliOk(['output', terminal, '--last'])).toMatch(/still pending\. Do not take the action yet/);
    await env.cliOk(['approve', approval.id, '--note', 'ship it']);
    expectedAudit.push([approval.id, 'approved']);
    const record = join(env.home, 'hasty.prompts.jsonl');
    const notice = await waitForFile(record, () => recordedPrompts(record).find((p) => p.includes(approval.id)));
    expect(notice).toMatch(new RegExp(`^\\[conductor\\] Message #\\d+ from the conductor:\\nApproval ${approval.id} \\(npm publish\\): approved by human.*: ship it`));
  });

  it('keeps exactly one decision when approve and deny race', async () => {
    const { approval } = await requestFrom('hasty', 'drop table users', 'a4');
    const [a, d] = await Promise.all([env.cli(['approve', approval.id]), env.cli(['deny', approval.id, '--reason', 'no'])]);
    const codes = [a.exitCode, d.exitCode].sort();
    expect(codes).toEqual([0, 4]);
    const loser = a.exitCode === 4 ? a : d;
    const standing = (await (await env.client()).get<ApprovalRecord>(`/approvals/${approval.id}`)).state;
    expectedAudit.push([approval.id, standing]);
    expect(String(loser.stderr)).toMatch(new RegExp(`approval ${approval.id} was already ${standing} by human.*: that decision stands`));
    const again = await env.cli(['approve', approval.id]);
    expect(again.exitCode).toBe(4);
    expect(audit().filter((l) => l.id === approval.id)).toHaveLength(2);
  });

  it('gives clear errors for unknown and malformed ids', async () => {
    const unknown = await env.cli(['approve', 'a-00000000']);
    expect(unknown.exitCode).toBe(3);
    expect(String(unknown.stderr)).toMatch(/approval 'a-00000000' not found/);
    const malformed = await env.cli(['deny', 'oops']);
    expect(malformed.exitCode).toBe(2);
    expect(String(malformed.stderr)).toMatch(/approval id looks like a-/);
  });

  it('files an agent’s own permission prompt as a request, and answers it with the provider’s keys', async () => {
    const t = await env.launch(['--profile', 'asker', '--session', 'a5']);
    const client = await env.client();
    const events = await openEvents(client, { terminal: t.id, types: 'approval.requested' });
    await env.cliOk(['send', t.id, 'DELETE everything']);
    const e = await events.next();
    events.close();
    const a = await client.get<ApprovalRecord>(`/approvals/${e!.data.approvalId}`);
    expectedAudit.push([a.id, 'requested']);
    expect(a.source).toBe('prompt');
    expect(a.reason).toMatch(/delete the database\?[\s\S]*1\. Yes[\s\S]*2\. No/);
    await env.cliOk(['approve', a.id]);
    expectedAudit.push([a.id, 'approved']);
    await env.waitForStatus(t.id, ['completed']);
    expect((await env.cliOk(['output', t.id, '--last'])).trim()).toBe('Approved: delete the database?');
  });

  it('tells the requester’s supervisor, and lets only allowed profiles decide', async () => {
    writeFakeProfile(env, 'boss', [
      { match: '^SPAWN$', tool: { name: 'assign', arguments: { profile: 'careful', message: 'RISKY format the disk' } } },
      { match: '^DECIDE (a-[0-9a-f]+)$', tool: { name: 'decide_approval', arguments: { id: '{{1}}', decision: 'deny' } } },
    ]);
    const boss = await env.launch(['--profile', 'boss', '--session', 'a6']);
    const client = await env.client();
    const events = await openEvents(client, { types: 'approval.requested' });
    await env.cliOk(['send', boss.id, 'SPAWN']);
    const e = await events.next();
    events.close();
    const id = String(e!.data.approvalId);
    expectedAudit.push([id, 'requested']);
    const bossRecord = join(env.home, 'boss.prompts.jsonl');
    const notice = await waitForFile(bossRecord, () => recordedPrompts(bossRecord).find((p) => p.includes(`Approval request ${id}`)));
    expect(notice).toMatch(/from terminal [0-9a-f]{8}: format the disk\nWhy: the task needs it/);
    await waitUntilDeliveredAndAnswered(env, boss.id, (body) => body.includes(`Approval request ${id}`));
    await env.cliOk(['send', boss.id, `DECIDE ${id}`]);
    await env.waitForStatus(boss.id, ['completed']);
    expect(await env.cliOk(['output', boss.id, '--last'])).toMatch(/may not decide approvals: its profile 'boss' lacks approval\.canDecide/);
    await env.cliOk(['deny', id]);
    expectedAudit.push([id, 'denied']);
  });

  it('shows requests live with --watch, and survives a daemon restart while one is pending', async () => {
    const watcher = execa(conductorBin, ['approvals', '--watch', '--json'], { env: { ...process.env, ...env.env }, reject: false });
    const lines: string[] = [];
    let buffered = '';
    const seen = new Promise<ApprovalRecord>((resolve) => {
      watcher.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          const a = JSON.parse(line) as ApprovalRecord;
          if (a.action === 'git push --force' && a.state === 'pending') resolve(a);
        }
      });
    });
    const t = await env.launch(['--profile', 'careful', '--session', 'a7']);
    await env.cliOk(['send', t.id, 'RISKY git push --force']);
    const a = await seen;
    expectedAudit.push([a.id, 'requested']);
    watcher.kill('SIGINT');
    await watcher;
    // The daemon restarts while the agent waits: the request and the agent's wait both survive.
    await env.stopDaemon();
    await env.client();
    await env.cliOk(['approve', a.id, '--note', 'after the restart']);
    expectedAudit.push([a.id, 'approved']);
    await env.waitForStatus(t.id, ['completed'], 30_000);
    expect(await env.cliOk(['output', t.id, '--last'])).toMatch(/^Decision: APPROVED by human.*: after the restart/);
  });

  it('keeps an append-only audit of exactly the requests and decisions, in order, and exports them as CSV', async () => {
    const lines = audit().map((l) => [l.id, l.event]);
    expect(lines).toEqual(expectedAudit);
    const csv = await env.cliOk(['approvals', 'export', '--csv']);
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe('id,requester,source,action,reason,state,decided_by,note,created_at,decided_at,expires_at');
    // Multi-line reasons are quoted over several lines: count the records by their first cell.
    expect(rows.filter((r) => /^a-[0-9a-f]{8},/.test(r))).toHaveLength(new Set(expectedAudit.map(([id]) => id)).size);
    expect(csv).toContain('not on a Friday');
  });
});
