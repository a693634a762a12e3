import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConductorError, ConflictError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { resolveProfile } from '../profile/load.js';
import { providerNames } from '../providers/registry.js';
import { resolveProvider } from '../providers/registry.js';
import type { Runtime } from '../runtime.js';
import { nextRunAfter } from './scheduler.js';
import { FlowError, parseFlow, type AddFlowInput, type FlowRecord, type FlowRunRecord } from './schema.js';
import { definitionOf, toFlowRecord, toRunRecord } from './store.js';

const log = moduleLogger('flow-ops');

/** A manual run answers within this time even if its gate script runs longer (HTTP clients give up). */
const RUN_ANSWER_MS = 240_000;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function checkExists<T>(file: string, field: string, resolveIt: () => T): T {
  try {
    return resolveIt();
  } catch (err) {
    if (err instanceof ConductorError) throw new FlowError(`flow ${file}: ${field}: ${err.message}`);
    throw err;
  }
}

/** Validates a flow file against what exists (profile, provider, cwd) and stores it, scheduled. */
export async function addFlow(rt: Runtime, input: AddFlowInput): Promise<FlowRecord> {
  const def = parseFlow(input.definition, input.file);
  const cwd = resolve(dirname(input.file), def.cwd ?? '.');
  if (!isDirectory(cwd)) throw new FlowError(`flow ${input.file}: cwd: '${cwd}' is not an existing directory`);
  const profile = checkExists(input.file, 'profile', () => resolveProfile(def.profile, rt.layout.profiles, undefined, providerNames(rt.layout.providers)));
  if (!def.provider && !profile.provider) {
    throw new FlowError(
      `flow ${input.file}: provider: profile '${def.profile}' names no provider, and a flow has no caller to take one from: set provider (e.g. claude_code)`,
    );
  }
  if (def.provider) checkExists(input.file, 'provider', () => resolveProvider(def.provider!, rt.layout.providers));
  const existing = await rt.flows.find(def.name);
  if (existing && !input.replace) {
    throw new ConflictError(`a flow named '${def.name}' exists already: add it with --force to replace it, or pick another name`);
  }
  const now = rt.clock();
  const enabled = existing ? existing.enabled === 1 : true;
  await rt.flows.upsert({
    name: def.name,
    definition: input.definition,
    file: input.file,
    cwd,
    enabled: 1,
    created_at: now,
    updated_at: now,
    last_run_at: null,
    next_run_at: enabled ? nextRunAfter(def, now) : null,
  });
  rt.flowScheduler.rearm();
  log.info({ flow: def.name, replaced: Boolean(existing) }, 'flow added');
  return getFlow(rt, def.name);
}

export async function getFlow(rt: Runtime, name: string): Promise<FlowRecord> {
  return toFlowRecord(await rt.flows.get(name), await rt.flows.lastRun(name));
}

export async function listFlows(rt: Runtime): Promise<FlowRecord[]> {
  const rows = await rt.flows.list();
  return Promise.all(rows.map(async (row) => toFlowRecord(row, await rt.flows.lastRun(row.name))));
}

export async function showFlow(rt: Runtime, name: string): Promise<{ flow: FlowRecord; prompt: string; runs: FlowRunRecord[] }> {
  const row = await rt.flows.get(name);
  const runs = (await rt.flows.runs(name, 20)).map(toRunRecord);
  return { flow: toFlowRecord(row, undefined), prompt: definitionOf(row).prompt, runs };
}

export async function setFlowEnabled(rt: Runtime, name: string, enabled: boolean): Promise<FlowRecord> {
  const row = await rt.flows.get(name);
  const nextRunAt = enabled ? nextRunAfter(definitionOf(row), rt.clock()) : null;
  await rt.flows.setSchedule(name, { enabled, nextRunAt });
  rt.flowScheduler.rearm();
  return getFlow(rt, name);
}

/** Removes the flow and its run history; an agent it started keeps running. */
export async function removeFlow(rt: Runtime, name: string): Promise<{ removed: string }> {
  await rt.flows.get(name);
  await rt.flows.remove(name);
  rt.flowScheduler.rearm();
  return { removed: name };
}

/** Runs a flow now. Answers once it launched, skipped or failed, or with the run still starting after a while. */
export async function runFlowNow(rt: Runtime, name: string): Promise<FlowRunRecord> {
  await rt.flows.get(name);
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), RUN_ANSWER_MS)));
  try {
    const run = await Promise.race([rt.flowScheduler.runNow(name), slow]);
    if (run) return run;
    return toRunRecord((await rt.flows.lastRun(name))!);
  } finally {
    clearTimeout(timer);
  }
}
