import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { ZodError } from 'zod';
import { packageRoot } from '../config/paths.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { formatZodIssues } from '../providers/userProvider.js';
import { profileFrontmatterSchema, profileNameSchema, type Profile } from './schema.js';

/** The profiles shipped with the conductor (the repository's `profiles/` folder). */
export const builtInProfileDir = join(packageRoot(), 'profiles');

export class ProfileError extends InvalidInputError {}

/** A bad record key says only "Invalid key in record"; the key's own rule says what is wrong. */
function withKeyMessages(error: ZodError): ZodError {
  for (const issue of error.issues) {
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    if (inner) (issue as { message: string }).message = inner;
  }
  return error;
}

export interface ProfileChecks {
  /** Provider names a profile may name; when given, any other is a problem of the file. */
  knownProviders?: string[];
  /** The name the file's own name demands. */
  expectedName?: string;
}

/**
 * Splits `---\nyaml\n---\nbody` and validates the frontmatter. Every problem of the file is
 * reported at once, each with its field.
 */
export function parseProfile(text: string, file: string, source: Profile['source'], checks: ProfileChecks = {}): Profile {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new ProfileError(`profile ${file}: it must start with YAML frontmatter between '---' lines`);
  let front: unknown;
  try {
    front = YAML.parse(match[1]);
  } catch (err) {
    throw new ProfileError(`profile ${file}: the frontmatter is not valid YAML: ${(err as Error).message}`);
  }
  const problems: string[] = [];
  const result = profileFrontmatterSchema.safeParse(front ?? {});
  if (!result.success) problems.push(formatZodIssues(withKeyMessages(result.error)));
  const raw = (front ?? {}) as { name?: unknown; provider?: unknown };
  if (checks.knownProviders && typeof raw.provider === 'string' && raw.provider && !checks.knownProviders.includes(raw.provider)) {
    problems.push(`provider: unknown provider '${raw.provider}'; known providers: ${checks.knownProviders.join(', ')}`);
  }
  if (checks.expectedName && typeof raw.name === 'string' && raw.name !== checks.expectedName) {
    problems.push(`name '${raw.name}' must match the file name '${checks.expectedName}.md'`);
  }
  const systemPrompt = match[2].trim();
  if (systemPrompt === '') problems.push("the body (the agent's system prompt) is empty");
  if (problems.length || !result.success) throw new ProfileError(`profile ${file}: ${problems.join('; ')}`);
  return { ...result.data, systemPrompt, source, file };
}

function readDir(dir: string, source: Profile['source'], knownProviders?: string[]) {
  const profiles: Profile[] = [];
  const invalid: Array<{ file: string; error: string }> = [];
  if (!existsSync(dir)) return { profiles, invalid };
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.md')) continue;
    const file = join(dir, name);
    try {
      profiles.push(parseProfile(readFileSync(file, 'utf8'), file, source, { knownProviders, expectedName: name.slice(0, -3) }));
    } catch (err) {
      invalid.push({ file, error: (err as Error).message });
    }
  }
  return { profiles, invalid };
}

/** Built-in and user profiles; a user profile with the same name wins. */
export function listProfiles(userDir: string, builtInDir = builtInProfileDir, knownProviders?: string[]) {
  const builtIn = readDir(builtInDir, 'built-in', knownProviders);
  const user = readDir(userDir, 'user', knownProviders);
  const byName = new Map<string, Profile>();
  for (const p of [...builtIn.profiles, ...user.profiles]) byName.set(p.name, p);
  return { profiles: [...byName.values()], invalid: [...builtIn.invalid, ...user.invalid] };
}

export function resolveProfile(name: string, userDir: string, builtInDir = builtInProfileDir, knownProviders?: string[]): Profile {
  const parsedName = profileNameSchema.safeParse(name);
  if (!parsedName.success) throw new ProfileError(`profile '${name}': ${parsedName.error.issues[0].message}`);
  const { profiles, invalid } = listProfiles(userDir, builtInDir, knownProviders);
  const found = profiles.find((p) => p.name === name);
  if (found) return found;
  const broken = invalid.find((i) => i.file.endsWith(`/${name}.md`));
  if (broken) throw new ProfileError(broken.error);
  throw new NotFoundError('profile', name, `known profiles: ${profiles.map((p) => p.name).join(', ') || 'none'}; see \`conductor profiles\``);
}
