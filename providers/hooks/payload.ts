/** Small readers for hook payloads, which are JSON objects of the CLIs' own making. */

export function field(payload: unknown, name: string): unknown {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>)[name] : undefined;
}

export function text(payload: unknown, name: string): string | undefined {
  const value = field(payload, name);
  return typeof value === 'string' ? value : undefined;
}

/** A shell word: the hook commands CLIs run are shell command lines. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(words: string[]): string {
  return words.map(shellQuote).join(' ');
}
