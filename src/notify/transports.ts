import { execa } from 'execa';
import type { Tmux } from '../tmux/client.js';
import { plain, render } from './formats.js';
import { redactIn } from './redact.js';
import type { Notice, NotifyTargetRecord } from './schema.js';

/**
 * One delivery attempt; throws an Error whose message is safe to log (no URL secrets).
 * `signal` ends it early when the daemon stops or the target is removed.
 */
export type Transport = (notices: Notice[], signal?: AbortSignal) => Promise<void>;

/** A target that answers slower than this counts as failed for that attempt. */
export const SEND_TIMEOUT_MS = 5000;

function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${SEND_TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

function webhook(target: NotifyTargetRecord): Transport {
  const url = target.url!;
  return async (notices, signal) => {
    const message = render(target.format, notices);
    const timeout = AbortSignal.timeout(SEND_TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: message.headers, body: message.body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (err) {
      throw new Error(redactIn(`POST ${target.safeUrl} failed: ${describeFetchError(err)}`, url));
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`POST ${target.safeUrl} answered HTTP ${res.status}`);
  };
}

function desktop(): Transport {
  return async (notices) => {
    const { title, body } = plain(notices);
    const urgent = notices.some((n) => n.event === 'approval' || n.event === 'exited' || n.event === 'error');
    try {
      await execa('notify-send', ['--app-name=conductor', '--urgency', urgent ? 'critical' : 'normal', title, body], { timeout: SEND_TIMEOUT_MS });
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') {
        throw new Error('notify-send is not installed here: install it (Debian/Ubuntu: apt-get install libnotify-bin) or remove this target');
      }
      throw new Error(`notify-send failed: ${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message}`);
    }
  };
}

/** A message in the status line of every client attached to the conductor's tmux server, with a bell. */
function tmuxClients(tmux: Tmux): Transport {
  return async (notices) => {
    const { title } = plain(notices);
    const firstCommand = notices.find((n) => n.command)?.command;
    const line = `${title}${firstCommand ? ` → ${firstCommand}` : ''}`.replace(/\s+/g, ' ');
    for (const client of await tmux.listClients()) await tmux.alertClient(client.tty, line);
  };
}

export function transportFor(target: NotifyTargetRecord, tmux: Tmux): Transport {
  if (target.kind === 'desktop') return desktop();
  if (target.kind === 'tmux') return tmuxClients(tmux);
  return webhook(target);
}

/** Whether a program is on PATH, so `notify add desktop` can warn at once. */
export async function onPath(program: string): Promise<boolean> {
  const r = await execa('sh', ['-c', `command -v ${program}`], { reject: false, timeout: 2000 });
  return r.exitCode === 0;
}
