import type { ProviderDefinition } from '../src/providers/types.js';
import { provider as claudeCode } from './claude_code.js';
import { provider as codex } from './codex.js';
import { provider as geminiCli } from './gemini_cli.js';
import { provider as ollama } from './ollama.js';
import { provider as shell } from './shell.js';

/** Built-in providers, in the order `conductor providers` lists them. */
export const builtInProviders: ProviderDefinition[] = [shell, claudeCode, geminiCli, codex, ollama];
