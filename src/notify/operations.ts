import { randomBytes } from 'node:crypto';
import { ConflictError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { DEFAULT_EVENTS, type AddTargetInput, type DeliveryResult, type NotifyFormat, type NotifyTargetRecord, type TargetKind } from './schema.js';
import type { NotifyStore } from './store.js';
import { onPath } from './transports.js';
import type { NotifyWorker } from './worker.js';

const log = moduleLogger('notify');

export interface NotifyOps {
  store: NotifyStore;
  worker: NotifyWorker;
  clock: () => number;
}

/** The service's own shape when its host says which it is; our JSON otherwise. */
export function guessFormat(url: string): NotifyFormat {
  const host = new URL(url).hostname;
  if (host === 'hooks.slack.com') return 'slack';
  if (host === 'discord.com' || host === 'discordapp.com' || host.endsWith('.discord.com')) return 'discord';
  if (host === 'ntfy.sh' || host.startsWith('ntfy.')) return 'ntfy';
  return 'json';
}

export async function addTarget(ops: NotifyOps, input: AddTargetInput): Promise<{ target: NotifyTargetRecord; warning?: string }> {
  const kind: TargetKind = input.url === 'desktop' || input.url === 'tmux' ? input.url : 'webhook';
  const url = kind === 'webhook' ? input.url : null;
  const existing = await ops.store.findByDestination(kind, url);
  if (existing) {
    throw new ConflictError(`that ${kind === 'webhook' ? 'URL' : kind} target is already registered as ${existing.id}: remove it first with \`conductor notify remove ${existing.id}\``);
  }
  const target = await ops.store.insert({
    id: `n-${randomBytes(4).toString('hex')}`,
    kind,
    url,
    format: url ? (input.format ?? guessFormat(url)) : 'json',
    events: input.on ?? DEFAULT_EVENTS,
    at: ops.clock(),
  });
  await ops.worker.reload();
  log.info({ target: target.id, kind, url: target.safeUrl, events: target.events }, 'notification target added');
  const warning =
    kind === 'desktop' && !(await onPath('notify-send'))
      ? 'notify-send is not installed here, so desktop notifications will fail: install it (Debian/Ubuntu: apt-get install libnotify-bin)'
      : undefined;
  return { target, ...(warning ? { warning } : {}) };
}

export async function removeTarget(ops: NotifyOps, id: string): Promise<NotifyTargetRecord> {
  const target = await ops.store.get(id);
  await ops.store.remove(id);
  await ops.worker.reload();
  log.info({ target: id }, 'notification target removed');
  return target;
}

export async function testTargets(ops: NotifyOps, id?: string): Promise<DeliveryResult[]> {
  const targets = id ? [await ops.store.get(id)] : await ops.store.list();
  return ops.worker.test(targets);
}
