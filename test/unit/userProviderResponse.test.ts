import { describe, expect, it } from 'vitest';
import { providerFromConfig, userProviderSchema } from '../../src/providers/userProvider.js';

/** `response.start` means: the answer begins right after the last match (a marker it covers is left out). */

function provider(response: Record<string, string>) {
  return providerFromConfig(userProviderSchema.parse({ name: 'p', command: 'p', patterns: { idle: '^> $' }, response }));
}

const markerScreen = [
  '> first question',
  '',
  '● First answer.',
  '',
  '> second question',
  '',
  '● Second answer, line one.',
  '  line two',
  '',
  '> ',
].join('\n');

describe('response.start: the answer starts right after the last match', () => {
  it('leaves out a marker on the answer’s first line, keeping the rest of that line', () => {
    expect(provider({ start: '^● ', end: '^>', strip_prefix: '^  ' }).lastResponse(markerScreen)).toBe('Second answer, line one.\nline two');
  });

  it('leaves out a line before the answer (a rule)', () => {
    const screen = ['old answer', '─────', 'The answer,', 'on two lines.', '', '> '].join('\n');
    expect(provider({ start: '^─+$', end: '^>' }).lastResponse(screen)).toBe('The answer,\non two lines.');
    // Trailing spaces are cut, as for the patterns: the prompt line reads '>'.
    expect(provider({ start: '^─+$' }).lastResponse(screen)).toBe('The answer,\non two lines.\n\n>');
  });

  it('takes a match that spans lines, so a prompt echo can open the answer', () => {
    const screen = ['  ┃  the question', '  ┃', '', '     The answer.', '', '     ▣  Build · 1.2s', '  ┃', '  ┃  Build · model'].join('\n');
    const p = provider({ start: '^  ┃  .*\\n  ┃\\n\\n', end: '^     ▣ ', strip_prefix: '^     ' });
    expect(p.lastResponse(screen)).toBe('The answer.');
  });

  it('ends at the start of the line where the first end match after it begins', () => {
    const screen = ['● Done. Waiting for you', 'more', 'x Waiting for input', 'tail'].join('\n');
    expect(provider({ start: '^● ', end: 'Waiting for input' }).lastResponse(screen)).toBe('Done. Waiting for you\nmore');
  });

  it('is null when the start pattern is nowhere on the screen, and runs to the end without an end match', () => {
    expect(provider({ start: '^◆ ' }).lastResponse(markerScreen)).toBeNull();
    // Nothing between the start and the end: no answer yet.
    expect(provider({ start: '^> second question$', end: '^● ' }).lastResponse(markerScreen)).toBeNull();
    expect(provider({ start: '^● (?=Second)' }).lastResponse(markerScreen)).toBe('Second answer, line one.\n  line two\n\n>');
  });
});
