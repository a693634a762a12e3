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

/** Splits `---\nyaml\n---\nbody` and validates the frontmatter; errors name the file and field. */
export function parseProfile(text: string, file: string, source: Profile['source']): Profile {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new ProfileError(`profile ${file}: it must start with YAML frontmatter between '---' lines`);
  let front: unknown;
  try {
    front = YAML.parse(match[1]);
  } catch (err) {
    throw new ProfileError(`profile ${file}: the frontmatter is not valid YAML: ${(err as Error).message}`);
  }
  const result = profileFrontmatterSchema.safeParse(front ?? {});
  if (!result.success) throw new ProfileError(`profile ${file}: ${formatZodIssues(withKeyMessages(result.error))}`);
  const systemPrompt = match[2].trim();
  if (systemPrompt === '') throw new ProfileError(`profile ${file}: the body (the agent's system prompt) is empty`);
  return { ...result.data, systemPrompt, source, file };
}

function readDir(dir: string, source: Profile['source']): { profiles: Profile[]; invalid: Array<{ file: string; error: string }> } {
  const profiles: Profile[] = [];
  const invalid: Array<{ file: string; error: string }> = [];
  if (!existsSync(dir)) return { profiles, invalid };
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.md')) continue;
    const file = join(dir, name);
    try {
      const p = parseProfile(readFileSync(file, 'utf8'), file, source);
      if (`${p.name}.md` !== name) throw new ProfileError(`profile ${file}: name '${p.name}' must match the file name`);
      profiles.push(p);
    } catch (err) {
      invalid.push({ file, error: (err as Error).message });
    }
  }
  return { profiles, invalid };
}

/** Built-in and user profiles; a user profile with the same name wins. */
export function listProfiles(userDir: string, builtInDir = builtInProfileDir) {
  const builtIn = readDir(builtInDir, 'built-in');
  const user = readDir(userDir, 'user');
  const byName = new Map<string, Profile>();
  for (const p of [...builtIn.profiles, ...user.profiles]) byName.set(p.name, p);
  return { profiles: [...byName.values()], invalid: [...builtIn.invalid, ...user.invalid] };
}

export function resolveProfile(name: string, userDir: string, builtInDir = builtInProfileDir): Profile {
  const parsedName = profileNameSchema.safeParse(name);
  if (!parsedName.success) throw new ProfileError(`profile '${name}': ${parsedName.error.issues[0].message}`);
  const { profiles, invalid } = listProfiles(userDir, builtInDir);
  const found = profiles.find((p) => p.name === name);
  if (found) return found;
  const broken = invalid.find((i) => i.file.endsWith(`/${name}.md`));
  if (broken) throw new ProfileError(broken.error);
  throw new NotFoundError('profile', name, `known profiles: ${profiles.map((p) => p.name).join(', ') || 'none'}; see \`conductor profiles\``);
}
