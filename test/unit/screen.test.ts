import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cutWordJoiner,
  inputBelowLastRule,
  inputBetweenRules,
  lastIndexMatching,
  paneWidth,
  screenLines,
  screenRows,
  tail,
  trimBlankEdges,
  trimTrailingBlank,
  unwrapRows,
  wrapsOnto,
} from '../../src/providers/screen.js';

const screenText = fc.array(fc.constantFrom('a', 'b', ' ', '\t', '\n', '\r', '\u00a0', '─', '❯'), { maxLength: 60 }).map((chars) => chars.join(''));

describe('screen lines', () => {
  it('drop carriage returns and trailing spaces, one line a row', () => {
    fc.assert(
      fc.property(screenText, (screen) => {
        const lines = screenLines(screen);
        expect(lines).toHaveLength(screen.replace(/\r/g, '').split('\n').length);
        for (const line of lines) expect(line).not.toMatch(/[\s\r]$/);
      }),
    );
  });

  it('screenRows ends on a non-blank row, whatever blank rows follow', () => {
    fc.assert(
      fc.property(screenText, fc.constantFrom('', '\n', '\n  \n\n', '\r\n\r\n'), (screen, blanks) => {
        const rows = screenRows(screen + blanks);
        expect(rows).toEqual(screenRows(screen));
        if (rows.length) expect(rows[rows.length - 1].trim()).not.toBe('');
      }),
    );
  });

  it('screenRows makes no-break spaces plain only when asked', () => {
    expect(screenRows('❯\u00a0hi\u00a0\n\n', { plainSpaces: true })).toEqual(['❯ hi']);
    expect(screenRows('❯\u00a0hi')).toEqual(['❯\u00a0hi']);
  });

  it('trimBlankEdges keeps the lines between the first and the last non-blank one', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('', '  ', 'x', ' y'), { maxLength: 12 }), (lines) => {
        const trimmed = trimBlankEdges(lines);
        expect(trimBlankEdges(trimmed)).toEqual(trimmed);
        const first = lines.findIndex((l) => l.trim() !== '');
        expect(trimmed).toEqual(first < 0 ? [] : lines.slice(first, lines.length - [...lines].reverse().findIndex((l) => l.trim() !== '')));
        expect(trimTrailingBlank(lines).slice(first < 0 ? 0 : first)).toEqual(trimmed);
      }),
    );
  });

  it('tail gives the last non-blank lines', () => {
    expect(tail('a\n\nb\n  \nc\n\n', 2)).toBe('b\nc');
    expect(tail('\n \n', 3)).toBe('');
  });

  it('lastIndexMatching takes a pattern or a test, and a bound', () => {
    const lines = ['> a', 'x', '> b', 'y'];
    expect(lastIndexMatching(lines, /^> /)).toBe(2);
    expect(lastIndexMatching(lines, /^> /, 2)).toBe(0);
    expect(lastIndexMatching(lines, (l) => l === 'y')).toBe(3);
    expect(lastIndexMatching(lines, /^z/)).toBe(-1);
  });
});

/** How a TUI draws a paragraph: greedy word wrap at `width`, the first row after `gutter`, the rest after `indent`. */
function wrapParagraph(words: string[], width: number, gutter: string, indent: string): string[] {
  const rows: string[] = [];
  let row = gutter + words[0];
  for (const word of words.slice(1)) {
    if (row.length + 1 + word.length > width) {
      rows.push(row);
      row = indent + word;
    } else {
      row += ' ' + word;
    }
  }
  rows.push(row);
  return rows;
}

const word = (maxLength: number) => fc.array(fc.constantFrom(...'abcxyz'), { minLength: 1, maxLength }).map((letters) => letters.join(''));
const paragraph = (maxWord: number) => fc.array(word(maxWord), { minLength: 1, maxLength: 30 });

describe('wrapped rows', () => {
  it('wrapping a paragraph, then joining its rows, gives the text back', () => {
    // Words that two of always fit on one row: a cut-word joiner never mistakes them for pieces of one.
    const text = fc.integer({ min: 10, max: 80 }).chain((width) =>
      fc.record({ width: fc.constant(width), paragraphs: fc.array(paragraph(Math.floor((width - 2) / 2)), { minLength: 1, maxLength: 4 }) }),
    );
    fc.assert(
      fc.property(text, fc.boolean(), ({ width, paragraphs }, cutsWords) => {
        const rows = paragraphs.flatMap((words, i) => [...(i ? [''] : []), ...wrapParagraph(words, width, '● ', '  ')]);
        const joined = unwrapRows(rows, {
          width,
          joiner: cutsWords ? cutWordJoiner(width) : undefined,
          content: (row) => row.replace(/^(?:● | {2})/, ''),
        });
        expect(joined).toEqual(paragraphs.flatMap((words, i) => [...(i ? [''] : []), words.join(' ')]));
      }),
      { numRuns: 300 },
    );
  });

  it('a word longer than a row, cut at the pane edge, joins again without spaces', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 40 }), fc.integer({ min: 1, max: 200 }), (width, extra) => {
        const word = 'abcdefghij'.repeat(30).slice(0, width + extra);
        const rows: string[] = [];
        for (let i = 0; i < word.length; i += width) rows.push(word.slice(i, i + width));
        expect(unwrapRows(rows, { width, joiner: cutWordJoiner(width) })).toEqual([word]);
      }),
    );
  });

  it('a row whose first word fitted after the row above starts a line of its own', () => {
    expect(wrapsOnto('short', 'next', 20)).toBe(false);
    expect(wrapsOnto('a row that is full', 'next', 20)).toBe(true);
    expect(wrapsOnto('', 'anything', 1)).toBe(false);
    expect(unwrapRows(['one', 'two'], { width: 20 })).toEqual(['one', 'two']);
  });

  it('measures with the given width function and continues only the rows allowed to', () => {
    const wide = (text: string) => [...text].length * 2;
    expect(unwrapRows(['日本語', '語'], { width: 7, measure: wide })).toEqual(['日本語 語']);
    expect(unwrapRows(['日本語', ' 語'], { width: 7, measure: wide, continues: (row) => !row.startsWith(' ') })).toEqual(['日本語', ' 語']);
  });
});

describe('rules and layouts', () => {
  const rule = '─'.repeat(30);

  it('finds an input box between the last two rules', () => {
    const lines = ['● answer', rule, '❯ draft', rule, '  ? for shortcuts'];
    expect(inputBetweenRules(lines, /^❯/)).toEqual({ transcript: ['● answer'], input: ['❯ draft'], below: ['  ? for shortcuts'] });
  });

  it('reads what is below a lone rule as a dialog', () => {
    const lines = ['● answer', rule, ' Do you want to proceed?', ' ❯ 1. Yes'];
    expect(inputBetweenRules(lines, /^❯/)).toEqual({ transcript: ['● answer'], input: null, below: lines.slice(2) });
    expect(inputBetweenRules(['plain'], /^❯/)).toEqual({ transcript: ['plain'], input: null, below: ['plain'] });
  });

  it('finds an input area below the last rule only when it shows the prompt', () => {
    const lines = ['✦ answer', rule, ' >   Type your message', ' footer'];
    expect(inputBelowLastRule(lines, /^ > /)).toEqual({ transcript: ['✦ answer'], input: lines.slice(2), below: lines.slice(2) });
    expect(inputBelowLastRule(lines, /^ \* /).input).toBeNull();
  });

  it('takes the pane width from the widest rule, else a fallback, else the widest line', () => {
    expect(paneWidth(['x', rule, '─'.repeat(40)])).toBe(40);
    expect(paneWidth(['abc', 'a'], 200)).toBe(200);
    expect(paneWidth(['abc', 'a'])).toBe(3);
    expect(paneWidth([])).toBe(1);
  });
});
