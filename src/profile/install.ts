import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConflictError, NotFoundError } from '../errors.js';
import { builtInProfileDir, parseProfile, ProfileError } from './load.js';
import { profileNameSchema } from './schema.js';

export interface InstallResult {
  name: string;
  /** Where the user copy now lives. */
  file: string;
  /** The file it came from. */
  from: string;
  source: 'built-in' | 'file';
  replaced: boolean;
  /** A built-in of the same name that the user copy now overrides. */
  overridesBuiltIn: boolean;
}

export interface InstallOptions {
  userDir: string;
  builtInDir?: string;
  force?: boolean;
  /** Base for a relative path (the CLI's working directory). */
  cwd?: string;
  /** Provider names the profile may name (see providers/registry.ts). */
  knownProviders?: string[];
}

/** A path names a file; anything else is a built-in profile's name. */
function isPath(arg: string): boolean {
  return arg.includes('/') || arg.endsWith('.md') || arg.startsWith('.');
}

function builtInNames(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

function readSource(arg: string, opts: InstallOptions): { text: string; from: string; source: InstallResult['source'] } {
  const builtInDir = opts.builtInDir ?? builtInProfileDir;
  if (isPath(arg)) {
    const from = resolve(opts.cwd ?? process.cwd(), arg);
    try {
      return { text: readFileSync(from, 'utf8'), from, source: 'file' };
    } catch (err) {
      throw new NotFoundError('profile file', from, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  const name = profileNameSchema.safeParse(arg);
  if (!name.success) throw new ProfileError(`profile '${arg}': ${name.error.issues[0].message}`);
  const from = join(builtInDir, `${arg}.md`);
  if (!existsSync(from)) {
    const known = builtInNames(builtInDir);
    throw new NotFoundError('built-in profile', arg, `built-ins are ${known.join(', ') || 'none'}; to install your own file, give its path (./${arg}.md)`);
  }
  return { text: readFileSync(from, 'utf8'), from, source: 'built-in' };
}

/**
 * Validates a profile and copies it, verbatim, to the user's folder as `<name>.md`, where it
 * overrides a built-in of the same name. A bare name copies that built-in, to customise.
 */
export function installProfile(arg: string, opts: InstallOptions): InstallResult {
  const { text, from, source } = readSource(arg, opts);
  const profile = parseProfile(text, from, 'user', { knownProviders: opts.knownProviders });
  const file = join(opts.userDir, `${profile.name}.md`);
  const exists = existsSync(file);
  const overridesBuiltIn = existsSync(join(opts.builtInDir ?? builtInProfileDir, `${profile.name}.md`));
  const result = { name: profile.name, file, from, source, replaced: exists, overridesBuiltIn };
  if (resolve(from) === file) return { ...result, replaced: false };
  if (exists && !opts.force) {
    throw new ConflictError(`a user profile '${profile.name}' exists already (${file}): add --force to overwrite it`);
  }
  mkdirSync(opts.userDir, { recursive: true, mode: 0o700 });
  // Written beside the target and renamed, so the daemon never reads half a profile.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text, { mode: 0o600 });
  renameSync(partial, file);
  return result;
}
