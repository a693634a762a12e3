import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { terminalRawLogPath, terminalRuntimeDir } from '../config/paths.js';
import type { SessionTable } from '../db/schema.js';
import { InvalidInputError, ProviderError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { builtInProviders } from '../../providers/index.js';
import { providerNames, resolveProvider } from '../providers/registry.js';
import type { EventEndpoint, LaunchContext, LaunchSpec, ProfileForLaunch, ProviderDefinition } from '../providers/types.js';
import { eventsWanted } from '../hooks/schema.js';
import { endpointFile } from '../hooks/secrets.js';
import { resolveProfile } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';
import { selfCommand, type Runtime } from '../runtime.js';
import { envFileContent, inheritable, paneArgv, requesterEnvironment } from './environment.js';
import { workspaceFor } from '../worktree/launch.js';
import { newId } from './ids.js';
import { rememberLaunch } from '../resume/store.js';
import type { CreateTerminalInput, TerminalRecord } from './schema.js';

const log = moduleLogger('terminal');

function checkCwd(cwd: string): string {
  if (!isAbsolute(cwd)) throw new InvalidInputError(`cwd '${cwd}' must be an absolute path`);
  try {
    if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new InvalidInputError(`cwd '${cwd}' is not an existing directory`);
  }
  return resolve(cwd);
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  const candidates = program.includes('/') ? [program] : (env.PATH ?? '').split(delimiter).map((d) => join(d, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export function exitStatusFile(runtimeDir: string): string {
  return join(runtimeDir, 'exit-status');
}

/** What a provider sees of a profile. */
export function forLaunch(p: Profile | undefined): ProfileForLaunch | undefined {
  if (!p) return undefined;
  return {
    name: p.name,
    model: p.model,
    systemPrompt: p.systemPrompt,
    permissionMode: p.permissionMode,
    allowedTools: p.allowedTools,
    deniedTools: p.deniedTools,
    mcpServers: p.mcpServers,
    env: p.env,
    askForConductorTools: p.askForConductorTools,
  };
}

/** Where a terminal's launch environment is kept: what its requester sent, and what the conductor added. */
function environmentRecordPath(runtimeDir: string): string {
  return join(runtimeDir, 'environment.json');
}

interface EnvironmentRecord {
  requester: Record<string, string>;
  added: string[];
}

export function readEnvironmentRecord(runtimeDir: string): EnvironmentRecord | undefined {
  try {
    return JSON.parse(readFileSync(environmentRecordPath(runtimeDir), 'utf8')) as EnvironmentRecord;
  } catch {
    return undefined;
  }
}

/**
 * The environment a launch starts from. A worker asked for by an agent gets that agent's
 * environment as its MCP server sees it, on top of what the agent itself was launched with,
 * less what the conductor added for the agent (its config folders, its identity).
 */
function requesterEnvFor(rt: Runtime, input: CreateTerminalInput, caller: TerminalRecord | undefined): Record<string, string> {
  if (!caller) return input.launchEnv ?? requesterEnvironment(process.env);
  const recorded = readEnvironmentRecord(terminalRuntimeDir(rt.layout, caller.id));
  const sent = { ...(input.launchEnv ?? {}) };
  for (const name of recorded?.added ?? []) delete sent[name];
  return { ...(recorded?.requester ?? requesterEnvironment(process.env)), ...sent };
}

const nestedSessionVars = builtInProviders.flatMap((p) => p.nestedSessionVars ?? []);

/**
 * Builds the provider's launch spec for a terminal and writes its files. `resume`: start the
 * agent's own conversation again (`conductor resume`, see src/resume).
 */
/** Where this terminal's agent hooks report to, when its provider has them and they are wanted. */
function eventEndpoint(
  rt: Pick<Runtime, 'hookSecrets' | 'hookScript' | 'port'>,
  provider: ProviderDefinition,
  id: string,
  runtimeDir: string,
  env: Record<string, string | undefined>,
): EventEndpoint | undefined {
  if (!provider.events || !eventsWanted(env)) return undefined;
  const secret = rt.hookSecrets.issue(id, runtimeDir, rt.port);
  return { url: `http://127.0.0.1:${rt.port}/hooks/${id}`, secret, command: ['bash', rt.hookScript, endpointFile(runtimeDir)] };
}

export function prepare(
  rt: Pick<Runtime, 'layout' | 'tmux' | 'hookSecrets' | 'hookScript' | 'port'>,
  provider: ProviderDefinition,
  id: string,
  cwd: string,
  input: Pick<CreateTerminalInput, 'env'>,
  profile: Profile | undefined,
  requesterEnv: Record<string, string>,
  resume?: LaunchContext['resume'],
) {
  const runtimeDir = terminalRuntimeDir(rt.layout, id);
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const identity = {
    CONDUCTOR_TERMINAL_ID: id,
    CONDUCTOR_HOME: rt.layout.home,
    CONDUCTOR_TMUX_SOCKET: rt.tmux.socket,
  };
  const mcp = selfCommand('mcp');
  const events = eventEndpoint(rt, provider, id, runtimeDir, { ...requesterEnv, ...profile?.env, ...input.env });
  const spec = provider.launch({
    terminalId: id,
    cwd,
    runtimeDir,
    mcp: { command: mcp.command, args: mcp.args, env: identity },
    hook: selfCommand('hook', 'pre-tool-use'),
    baseEnv: requesterEnv,
    profile: forLaunch(profile),
    resume,
    events,
  });
  for (const file of spec.files ?? []) {
    mkdirSync(dirname(file.path), { recursive: true, mode: 0o700 });
    writeFileSync(file.path, file.content, { mode: file.mode ?? 0o600 });
  }
  const inherited = inheritable(requesterEnv, [...nestedSessionVars, ...(spec.unsetEnv ?? [])]);
  const added = { ...spec.env, ...(profile?.env ?? {}), ...input.env, ...identity };
  const env = { ...inherited, ...added };
  if (!onPath(spec.argv[0], env)) {
    throw new ProviderError(
      `provider '${provider.name}' needs '${spec.argv[0]}', which is not on the PATH of the shell that asked for it: install it or fix PATH there, then run \`conductor doctor\``,
    );
  }
  const envFile = join(runtimeDir, 'env.sh');
  writeFileSync(envFile, envFileContent(env), { mode: 0o600 });
  // Kept as sent (CONDUCTOR_* settings included), so that this agent's own workers see what it was launched with.
  const record: EnvironmentRecord = { requester: requesterEnv, added: Object.keys(added) };
  writeFileSync(environmentRecordPath(runtimeDir), JSON.stringify(record) + '\n', { mode: 0o600 });
  return { argv: paneArgv(envFile, exitStatusFile(runtimeDir), spec.argv), usageRecords: spec.usageRecords, events: events !== undefined };
}

/** Opens a tmux window for a new terminal in `session` and starts watching it. */
export async function launchTerminal(
  rt: Runtime,
  session: SessionTable,
  input: CreateTerminalInput,
  opts: { firstInSession: boolean },
): Promise<TerminalRecord> {
  const profile = input.profile ? resolveProfile(input.profile, rt.layout.profiles, undefined, providerNames(rt.layout.providers)) : undefined;
  const caller = input.callerTerminalId ? await rt.terminals.get(input.callerTerminalId) : undefined;
  // An explicit provider wins, then the profile's, then the caller's own.
  const provider = resolveProvider(input.provider ?? profile?.provider ?? caller?.provider ?? 'shell', rt.layout.providers);
  const id = newId();
  const worktreeDeps = { store: rt.worktrees, home: rt.layout.home, clock: rt.clock };
  const worktreeWanted = input.worktree ?? (profile?.worktree ? {} : undefined);
  const workspace = await workspaceFor(worktreeDeps, id, checkCwd(input.cwd ?? caller?.cwd ?? process.cwd()), worktreeWanted);
  const cwd = workspace.cwd;
  const runtimeDir = terminalRuntimeDir(rt.layout, id);
  let pane: Awaited<ReturnType<typeof rt.tmux.newWindow>>;
  let usageRecords: LaunchSpec['usageRecords'];
  let events = false;
  const windowName = `${provider.name}-${id}`;
  try {
    const prepared = prepare(rt, provider, id, cwd, input, profile, requesterEnvFor(rt, input, caller));
    usageRecords = prepared.usageRecords;
    events = prepared.events;
    const argv = prepared.argv;
    const window = { windowName, cwd, env: {}, argv };
    pane = opts.firstInSession
      ? await rt.tmux.newSession(session.tmux_session, window)
      : await rt.tmux.newWindow(session.tmux_session, window);
  } catch (err) {
    // A refused launch leaves nothing behind: no window (none was made), no row, no files.
    rt.hookSecrets.forget(id);
    rmSync(runtimeDir, { recursive: true, force: true });
    await workspace.discard();
    throw err;
  }
  const now = rt.clock();
  try {
    await rt.terminals.insert({
      id,
      session_id: session.id,
      tmux_window: pane.windowId,
      tmux_pane: pane.paneId,
      window_name: windowName,
      provider: provider.name,
      profile: input.profile ?? null,
      cwd,
      status: 'starting',
      caller_terminal_id: input.callerTerminalId ?? null,
      last_response: null,
      status_detail: null,
      created_at: now,
      last_active_at: now,
      exited_at: null,
      exit_code: null,
    });
    await rememberLaunch(rt.db, { terminalId: id, env: input.env, usageRecords, at: now });
  } catch (err) {
    await rt.terminals.remove(id).catch(() => undefined);
    await rt.tmux.killWindow(pane.windowId).catch(() => undefined);
    rmSync(runtimeDir, { recursive: true, force: true });
    await workspace.discard();
    throw err;
  }
  await rt.tmux.pipePane(pane.paneId, terminalRawLogPath(rt.layout, id));
  const record = await rt.terminals.get(id);
  rt.monitor.track(record, provider, { events });
  await rt.usage?.track(record, usageRecords, profile?.maxCostUsd);
  await rt.bus.publish('terminal.created', { sessionId: session.id, terminalId: id }, {
    provider: provider.name,
    profile: record.profile,
    cwd,
    callerTerminalId: record.callerTerminalId,
  });
  log.info({ terminal: id, provider: provider.name, session: session.name }, 'terminal launched');
  return record;
}
