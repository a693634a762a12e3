import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { terminalRawLogPath, terminalRuntimeDir } from '../config/paths.js';
import type { SessionTable } from '../db/schema.js';
import { InvalidInputError, ProviderError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { resolveProvider } from '../providers/registry.js';
import type { LaunchSpec, ProfileForLaunch, ProviderDefinition } from '../providers/types.js';
import { resolveProfile } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';
import { selfCommand, type Runtime } from '../runtime.js';
import { newId } from './ids.js';
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

/**
 * The pane runs a tiny sh that starts the agent and writes its exit status to a file: tmux does
 * not always learn a dead pane's status (it can see the pty close and never report the code).
 * `env -u` drops variables the tmux server would otherwise pass down (nested-session markers).
 */
function launchArgv(spec: LaunchSpec, exitFile: string): string[] {
  const unset = spec.unsetEnv ?? [];
  const program = unset.length > 0 ? ['env', ...unset.flatMap((name) => ['-u', name]), ...spec.argv] : spec.argv;
  return ['sh', '-c', '"$@"; s=$?; printf %s "$s" > "$0"; exit "$s"', exitFile, ...program];
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
  };
}

/** Builds the provider's launch spec for a new terminal and writes its files. */
function prepare(
  rt: Runtime,
  provider: ProviderDefinition,
  id: string,
  cwd: string,
  input: CreateTerminalInput,
  profile: Profile | undefined,
) {
  const runtimeDir = terminalRuntimeDir(rt.layout, id);
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const identity = {
    CONDUCTOR_TERMINAL_ID: id,
    CONDUCTOR_HOME: rt.layout.home,
    ...(rt.tmux.socket ? { CONDUCTOR_TMUX_SOCKET: rt.tmux.socket } : {}),
  };
  const mcp = selfCommand('mcp');
  const spec = provider.launch({
    terminalId: id,
    cwd,
    runtimeDir,
    mcp: { command: mcp.command, args: mcp.args, env: identity },
    hook: selfCommand('hook', 'pre-tool-use'),
    baseEnv: process.env,
    profile: forLaunch(profile),
  });
  for (const file of spec.files ?? []) {
    mkdirSync(dirname(file.path), { recursive: true, mode: 0o700 });
    writeFileSync(file.path, file.content, { mode: file.mode ?? 0o600 });
  }
  if (!onPath(spec.argv[0], { ...process.env, ...spec.env })) {
    throw new ProviderError(
      `provider '${provider.name}' needs '${spec.argv[0]}', which is not on PATH: install it, or run \`conductor doctor\``,
    );
  }
  const env = { ...spec.env, ...(profile?.env ?? {}), ...input.env, ...identity };
  return { argv: launchArgv(spec, exitStatusFile(runtimeDir)), env };
}

/** Opens a tmux window for a new terminal in `session` and starts watching it. */
export async function launchTerminal(
  rt: Runtime,
  session: SessionTable,
  input: CreateTerminalInput,
  opts: { firstInSession: boolean },
): Promise<TerminalRecord> {
  const profile = input.profile ? resolveProfile(input.profile, rt.layout.profiles) : undefined;
  const caller = input.callerTerminalId ? await rt.terminals.get(input.callerTerminalId) : undefined;
  // An explicit provider wins, then the profile's, then the caller's own.
  const provider = resolveProvider(input.provider ?? profile?.provider ?? caller?.provider ?? 'shell', rt.layout.providers);
  const cwd = checkCwd(input.cwd ?? caller?.cwd ?? process.cwd());
  const id = newId();
  const { argv, env } = prepare(rt, provider, id, cwd, input, profile);
  const windowName = `${provider.name}-${id}`;
  const window = { windowName, cwd, env, argv };
  const pane = opts.firstInSession
    ? await rt.tmux.newSession(session.tmux_session, window)
    : await rt.tmux.newWindow(session.tmux_session, window);
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
  } catch (err) {
    await rt.tmux.killWindow(pane.windowId).catch(() => undefined);
    throw err;
  }
  await rt.tmux.pipePane(pane.paneId, terminalRawLogPath(rt.layout, id));
  const record = await rt.terminals.get(id);
  rt.monitor.track(record, provider);
  await rt.bus.publish('terminal.created', { sessionId: session.id, terminalId: id }, {
    provider: provider.name,
    profile: record.profile,
    cwd,
    callerTerminalId: record.callerTerminalId,
  });
  log.info({ terminal: id, provider: provider.name, session: session.name }, 'terminal launched');
  return record;
}
