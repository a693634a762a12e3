import { claudeReader } from './claude.js';
import { codexReader } from './codex.js';
import { geminiReader } from './gemini.js';
import type { RecordReader } from './types.js';

export const readers: Record<string, RecordReader> = {
  claude_code: claudeReader,
  codex: codexReader,
  gemini_cli: geminiReader,
};
