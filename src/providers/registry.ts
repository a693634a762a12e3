import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { builtInProviders } from '../../providers/index.js';
import { loadUserProviderFile } from './userProvider.js';
import type { ProviderDefinition } from './types.js';

const log = moduleLogger('providers');

export interface ProviderEntry {
  provider: ProviderDefinition;
  source: 'built-in' | 'user';
  file?: string;
}

export interface ProviderListing {
  providers: ProviderEntry[];
  /** Files that failed validation: reported, never silently skipped. */
  invalid: Array<{ file: string; error: string }>;
}

/** Provider files are parsed again only when the folder's files or their times change. */
let cache: { key: string; listing: ProviderListing } | undefined;

function folderKey(dir: string): string {
  if (!existsSync(dir)) return `${dir}:none`;
  const entries = readdirSync(dir).sort().map((name) => {
    try {
      return `${name}@${statSync(join(dir, name)).mtimeMs}`;
    } catch {
      return name;
    }
  });
  return `${dir}:${entries.join('|')}`;
}

export function listProviders(userDir: string): ProviderListing {
  const key = folderKey(userDir);
  if (cache?.key === key) return cache.listing;
  const listing = readProviders(userDir);
  cache = { key, listing };
  return listing;
}

function readProviders(userDir: string): ProviderListing {
  const byName = new Map<string, ProviderEntry>();
  for (const p of builtInProviders) byName.set(p.name, { provider: p, source: 'built-in' });
  const invalid: ProviderListing['invalid'] = [];
  if (existsSync(userDir)) {
    for (const name of readdirSync(userDir).sort()) {
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      const file = join(userDir, name);
      try {
        const provider = loadUserProviderFile(file);
        byName.set(provider.name, { provider, source: 'user', file });
      } catch (err) {
        log.warn({ file, err: (err as Error).message }, 'invalid provider file');
        invalid.push({ file, error: (err as Error).message });
      }
    }
  }
  return { providers: [...byName.values()], invalid };
}

/** Names a profile's `provider` may take: the built-ins and the valid user providers. */
export function providerNames(userDir: string): string[] {
  return listProviders(userDir).providers.map((e) => e.provider.name);
}

export function resolveProvider(name: string, userDir: string): ProviderDefinition {
  const { providers, invalid } = listProviders(userDir);
  const found = providers.find((e) => e.provider.name === name);
  if (found) return found.provider;
  const broken = invalid.find((i) => i.file.includes(`${name}.`));
  if (broken) throw new NotFoundError('provider', name, `its file is invalid: ${broken.error}`);
  throw new NotFoundError(
    'provider',
    name,
    `known providers: ${providers.map((e) => e.provider.name).join(', ')}; add your own under ${userDir}`,
  );
}
