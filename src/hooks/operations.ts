import { ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import type { TerminalMonitor } from '../status/monitor.js';
import { validate } from '../server/http.js';
import { hookCallSchema } from './schema.js';
import type { HookSecrets } from './secrets.js';

const log = moduleLogger('hooks');

export interface HookDeps {
  secrets: HookSecrets;
  monitor: Pick<TerminalMonitor, 'providerOf' | 'noteEvent'>;
}

export interface IncomingHook {
  terminalId: string;
  name: string;
  authorization: string | undefined;
  body: string;
}

function bearer(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * One call of an agent's hook: checked against the terminal's own secret, parsed, normalised by
 * the terminal's provider and fed to its status machine. Nothing changes unless all of it is valid.
 */
export async function receiveHook(deps: HookDeps, hook: IncomingHook): Promise<{ accepted: boolean; event: string | null }> {
  const auth = deps.secrets.authorise(hook.terminalId, bearer(hook.authorization));
  if (auth === 'unauthorized') {
    throw new UnauthorizedError(`missing or wrong hook secret for terminal '${hook.terminalId}': hooks use the secret in that terminal's hook-endpoint file`);
  }
  if (auth === 'forbidden') throw new ForbiddenError(`this hook secret belongs to another terminal, not '${hook.terminalId}'`);
  let payload: unknown;
  try {
    payload = hook.body.trim() === '' ? {} : JSON.parse(hook.body);
  } catch (err) {
    throw new InvalidInputError(`the hook body is not valid JSON (${(err as Error).message}): send the hook's JSON payload as the body`);
  }
  const call = validate(hookCallSchema, { terminalId: hook.terminalId, name: hook.name, payload }, 'hook call');
  const provider = deps.monitor.providerOf(call.terminalId);
  if (!provider) throw new NotFoundError('watched terminal', call.terminalId, 'it has exited or was never launched by this daemon');
  const event = provider.events?.normalise(call.name, call.payload) ?? null;
  if (!event) return { accepted: true, event: null };
  log.debug({ terminal: call.terminalId, hook: call.name, event: event.kind }, 'hook event');
  await deps.monitor.noteEvent(call.terminalId, event);
  return { accepted: true, event: event.kind };
}
