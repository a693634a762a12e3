import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { regexSchema } from '../config/regex.js';
import { InvalidInputError } from '../errors.js';
import { formatZodIssues } from '../providers/userProvider.js';

const regex = regexSchema('m');

export const policyRuleSchema = z
  .object({
    /** Regex on the tool's name (Bash, Write, Edit, mcp__server__tool…). */
    tool: regex,
    /** Regex on what the tool acts on: a Bash command, a file path, or the input as JSON. */
    pattern: regex.optional(),
    /** Matches a file tool whose path lies outside the terminal's working directory. */
    outsideCwd: z.boolean().default(false),
    reason: z.string().min(1),
  })
  .strict();
export type PolicyRule = z.infer<typeof policyRuleSchema>;

export const policyFileSchema = z
  .object({
    /** Keep the built-in rules (default true). */
    defaults: z.boolean().default(true),
    rules: z.array(policyRuleSchema).default([]),
  })
  .strict();

const FILE_TOOLS = '^(?:Write|Edit|MultiEdit|NotebookEdit)$';

export const DEFAULT_RULES: PolicyRule[] = [
  { tool: '^Bash$', pattern: String.raw`\brm\s+(?:-\S*\s+)*-(?:[a-zA-Z]*r[a-zA-Z]*f|[a-zA-Z]*f[a-zA-Z]*r)\b|\brm\s+.*--recursive`, outsideCwd: false, reason: 'recursive forced delete (rm -rf)' },
  { tool: '^Bash$', pattern: String.raw`\bgit\s+(?:-\S+\s+)*push\b`, outsideCwd: false, reason: 'pushes to a git remote' },
  { tool: '^Bash$', pattern: String.raw`\b(?:npm|pnpm|yarn)\s+publish\b`, outsideCwd: false, reason: 'publishes a package' },
  { tool: '^Bash$', pattern: String.raw`(?:^|[;&|(]\s*)sudo\b`, outsideCwd: false, reason: 'runs as root (sudo)' },
  { tool: FILE_TOOLS, outsideCwd: true, reason: 'writes outside the working directory' },
];

/** The rules in force: built-ins (unless the policy file turns them off), the file's, the profile's. */
export function loadPolicy(policyFile: string, profileRequire: string[] = []): PolicyRule[] {
  let file = { defaults: true, rules: [] as PolicyRule[] };
  if (existsSync(policyFile)) {
    let parsed: unknown;
    try {
      parsed = YAML.parse(readFileSync(policyFile, 'utf8')) ?? {};
    } catch (err) {
      throw new InvalidInputError(`policy ${policyFile}: not valid YAML: ${(err as Error).message}`);
    }
    const result = policyFileSchema.safeParse(parsed);
    if (!result.success) throw new InvalidInputError(`policy ${policyFile}: ${formatZodIssues(result.error)}`);
    file = result.data;
  }
  const fromProfile = profileRequire.map((pattern) => ({ tool: '^Bash$', pattern, outsideCwd: false, reason: `the profile requires approval for /${pattern}/` }));
  return [...(file.defaults ? DEFAULT_RULES : []), ...file.rules, ...fromProfile];
}

export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
  cwd: string;
}

/** What a rule's pattern is tested against. */
export function subjectOf(call: ToolCall): string {
  const { input } = call;
  if (typeof input.command === 'string') return input.command;
  for (const key of ['file_path', 'notebook_path', 'path']) if (typeof input[key] === 'string') return input[key] as string;
  return JSON.stringify(input);
}

function outside(cwd: string, path: string): boolean {
  const rel = relative(resolve(cwd), resolve(cwd, path));
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel);
}

/** Pure: the first rule the call matches, or undefined when it may run. */
export function matchPolicy(rules: PolicyRule[], call: ToolCall): PolicyRule | undefined {
  const subject = subjectOf(call);
  return rules.find((rule) => {
    if (!new RegExp(rule.tool).test(call.tool)) return false;
    if (rule.outsideCwd && !(subject !== JSON.stringify(call.input) && outside(call.cwd, subject))) return false;
    return rule.pattern === undefined || new RegExp(rule.pattern, 'm').test(subject);
  });
}
