import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import { BudgetGuard } from '../../src/usage/budget.js';
import { PriceTable, builtInPriceFile } from '../../src/usage/prices.js';
import { UsageReporter } from '../../src/usage/report.js';
import type { ResponseUsage } from '../../src/usage/schema.js';
import { terminal, usageWorld } from './helpers.js';

/** Reports per terminal and per delegation tree, budgets over a tree, and the price table. */

type World = Awaited<ReturnType<typeof usageWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const PRICES = new PriceTable({ 'model-a': { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.25 } });

function response(key: string, model: string, n: number, at = Date.parse('2026-06-01T10:00:00Z')): ResponseUsage {
  return { key, model, inputTokens: n, outputTokens: n * 2, cacheReadTokens: n * 10, cacheWriteTokens: n * 3, at };
}

/** A supervisor with two workers, one of which has a worker of its own, plus a shell nobody can count. */
async function tree() {
  world = await usageWorld(PRICES);
  const tracker = world.tracker();
  const records = (format: 'claude_code' | 'codex') => ({ format, dir: world!.home, sessionId: 'x' });
  await tracker.track(terminal('a0000001', 'claude_code'), records('claude_code'), 0.5);
  await tracker.track(terminal('b0000002', 'claude_code', 'a0000001'), records('claude_code'), undefined);
  await tracker.track(terminal('c0000003', 'codex', 'a0000001'), records('codex'), undefined);
  await tracker.track(terminal('d0000004', 'claude_code', 'c0000003'), records('claude_code'), undefined);
  await tracker.track(terminal('e0000005', 'shell'), undefined, undefined);
  const add = (id: string, r: ResponseUsage) => world!.store.record(id, `/records/${id}`, { offset: 1, state: null }, [r], Date.now());
  await add('a0000001', response('r1', 'model-a', 1000));
  await add('b0000002', response('r1', 'model-a', 2000));
  await add('c0000003', response('r1', 'model-b', 3000, Date.parse('2026-06-02T10:00:00Z')));
  await add('d0000004', response('r1', 'model-a', 4000));
  return world;
}

describe('usage report', () => {
  it('gives each terminal its own figures, a tree its workers\' too, and unknown (never 0) where nothing is recorded', async () => {
    const w = await tree();
    const report = await w.reporter.report({});
    const by = Object.fromEntries(report.terminals.map((t) => [t.terminalId, t]));
    expect(by.a0000001).toMatchObject({ inputTokens: 1000, outputTokens: 2000, cacheReadTokens: 10000, cacheWriteTokens: 3000, priced: true });
    expect(by.a0000001.costUsd).toBeCloseTo((1000 * 1 + 2000 * 2 + 10000 * 0.1 + 3000 * 1.25) / 1e6, 12);
    expect(by.a0000001.tree.terminals.sort()).toEqual(['a0000001', 'b0000002', 'c0000003', 'd0000004']);
    expect(by.a0000001.tree.inputTokens).toBe(10000);
    // model-b has no price: the tree's tokens are known, its cost is not.
    expect(by.a0000001.tree).toMatchObject({ priced: false, costUsd: null });
    expect(by.c0000003.tree.terminals.sort()).toEqual(['c0000003', 'd0000004']);
    expect(by.e0000005).toMatchObject({ inputTokens: null, outputTokens: null, costUsd: null, priced: false, model: null });
    expect(report.totals).toMatchObject({ inputTokens: 10000, unknownTerminals: 1, priced: false, costUsd: null });
  });

  it('counts only responses since a date', async () => {
    const w = await tree();
    const report = await w.reporter.report({ since: Date.parse('2026-06-02T00:00:00Z') });
    expect(report.totals.inputTokens).toBe(3000);
    // Launched now, so after that date: the other terminals stay listed even without responses.
    expect(report.terminals).toHaveLength(5);
    const later = await w.reporter.report({ since: Date.now() + 60_000 });
    expect(later.terminals).toEqual([]);
    expect(report.since).toBe('2026-06-02T00:00:00.000Z');
  });

  it('reports one session, or one terminal, and names what it cannot find', async () => {
    const w = await tree();
    expect((await w.reporter.report({ session: 'work' })).terminals).toHaveLength(5);
    expect((await w.reporter.report({ terminalId: 'c0000003' })).terminals.map((t) => t.terminalId)).toEqual(['c0000003']);
    await expect(w.reporter.report({ session: 'nope' })).rejects.toThrow(/session 'nope' not found/);
    await expect(w.reporter.report({ terminalId: 'ffffffff' })).rejects.toThrow(/terminal 'ffffffff' not found/);
  });
});

describe('budgets (maxCostUsd)', () => {
  async function guarded() {
    const w = await tree();
    const approvals = new Map<string, string>();
    const filed: Array<{ requester: string; action: string }> = [];
    const announced: Array<{ terminalId: string; approvalId: unknown }> = [];
    const guard = new BudgetGuard({
      store: w.store,
      reporter: new UsageReporter(w.store, () => new PriceTable({ 'model-a': { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.25 }, 'model-b': { input: 10, output: 10, cacheRead: 10, cacheWrite: 10 } })),
      clock: () => Date.now(),
      fileApproval: async (requester, action) => {
        filed.push({ requester, action });
        approvals.set(`a-${filed.length}`, 'pending');
        return `a-${filed.length}`;
      },
      approvalState: async (id) => approvals.get(id),
      announce: async (terminalId, data) => {
        announced.push({ terminalId, approvalId: data.approvalId });
      },
    });
    return { guard, approvals, filed, announced };
  }

  it('asks once when a tree passes its budget, and refuses new workers anywhere in it until decided', async () => {
    const { guard, approvals, filed, announced } = await guarded();
    await guard.assertMayDelegate('d0000004');
    await guard.check('d0000004');
    await guard.check('b0000002');
    expect(filed).toEqual([{ requester: 'a0000001', action: 'continue past $0.50?' }]);
    // Announced once, for the notification targets that listen for `budget`.
    expect(announced).toEqual([{ terminalId: 'a0000001', approvalId: 'a-1' }]);
    await expect(guard.assertMayDelegate('d0000004')).rejects.toThrow(ConflictError);
    await expect(guard.assertMayDelegate('a0000001')).rejects.toThrow(/approval a-1 is pending/);
    await guard.assertMayDelegate('e0000005');
    approvals.set('a-1', 'approved');
    await guard.assertMayDelegate('d0000004');
    approvals.set('a-1', 'denied');
    await expect(guard.assertMayDelegate('b0000002')).rejects.toThrow(/was denied/);
  });

  it('does not ask while the tree is within its budget', async () => {
    const { guard, filed } = await guarded();
    await world!.db.updateTable('usage_sources').set({ max_cost_usd: 1000 }).where('terminal_id', '=', 'a0000001').execute();
    await guard.check('d0000004');
    expect(filed).toEqual([]);
    await guard.assertMayDelegate('d0000004');
  });
});

describe('price table', () => {
  it('ships prices as data, and a user file in CONDUCTOR_HOME overrides them model by model', async () => {
    world = await usageWorld();
    const builtIn = PriceTable.builtIn();
    expect(builtIn.lookup('claude-sonnet-4-5')).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    expect(builtIn.lookup('claude-sonnet-4-5-20250929')).toEqual(builtIn.lookup('claude-sonnet-4-5'));
    expect(builtIn.lookup('no-such-model')).toBeUndefined();
    writeFileSync(join(world.home, 'prices.json'), JSON.stringify({ models: { 'claude-sonnet-4-5': { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 }, mine: { input: 2, output: 2, cacheRead: 2, cacheWrite: 2 } } }));
    const merged = PriceTable.load(world.home);
    expect(merged.lookup('claude-sonnet-4-5')!.input).toBe(1);
    expect(merged.lookup('mine')!.input).toBe(2);
    expect(merged.lookup('claude-haiku-4-5')).toEqual(builtIn.lookup('claude-haiku-4-5'));
  });

  it('names the file and the field when a user price file is wrong', async () => {
    world = await usageWorld();
    mkdirSync(world.home, { recursive: true });
    writeFileSync(join(world.home, 'prices.json'), JSON.stringify({ models: { mine: { input: 'cheap' } } }));
    expect(() => PriceTable.load(world!.home)).toThrow(/prices\.json: models\.mine\.input/);
    writeFileSync(join(world.home, 'prices.json'), '{ not json');
    expect(() => PriceTable.load(world!.home, builtInPriceFile)).toThrow(/not valid JSON/);
  });
});
