import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { provider as claude } from '../../providers/claude_code.js';
import { provider as codex } from '../../providers/codex.js';
import { provider as gemini } from '../../providers/gemini_cli.js';
import { provider as ollama } from '../../providers/ollama.js';
import { providerFromConfig, userProviderSchema } from '../../src/providers/userProvider.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { goldenCases, type GoldenCase } from './golden.js';

/**
 * A CLI release that rewords its spinner or its footer must never read as idle: that would be a
 * false `completed`. Recorded screens are reworded here as a new release might, and each must
 * read `busy` or `unknown` (which keeps the previous status), never `idle`.
 */

type Rewording = [name: string, change: (screen: string) => string];

function withStatus(cases: GoldenCase[], status: string): GoldenCase[] {
  return cases.filter((c) => c.expected.status === status);
}

/** Every combination of the rewordings, each one alone included. */
function combinations(rewordings: Rewording[]): Rewording[] {
  const all: Rewording[] = [];
  for (let mask = 1; mask < 1 << rewordings.length; mask++) {
    const chosen = rewordings.filter((_, i) => mask & (1 << i));
    all.push([chosen.map(([name]) => name).join(' + '), (screen) => chosen.reduce((s, [, change]) => change(s), screen)]);
  }
  return all;
}

function expectNeverIdle(provider: ProviderDefinition, busy: GoldenCase[], rewordings: Rewording[]): void {
  expect(busy.length).toBeGreaterThan(0);
  for (const c of busy) {
    for (const [name, change] of combinations(rewordings)) {
      const screen = change(c.screen);
      expect(screen, `${c.name}: ${name} changes the screen`).not.toBe(c.screen);
      expect(['busy', 'unknown'], `${c.name} with ${name}`).toContain(provider.detect(screen));
    }
  }
}

/** Idle screens whose idle marker is reworded have no sign of any state left: unknown. */
function expectUnknownWithoutIdleMarker(provider: ProviderDefinition, idle: GoldenCase[], change: (screen: string) => string): void {
  expect(idle.length).toBeGreaterThan(0);
  for (const c of idle) expect(provider.detect(change(c.screen)), c.name).toBe('unknown');
}

describe.each(claude.verifiedVersions ?? [])('Claude Code %s with a changed spinner or footer', (version) => {
  const cases = goldenCases(`claude_code/${version}`);
  const spinnerGlyph: Rewording = ['spinner glyph', (s) => s.replace(/^[·✢*✶✻✽✳] /gm, '◐ ')];
  const spinnerWord: Rewording = ['spinner word', (s) => s.replace(/^(\S )[A-Z][a-z]+…/gm, '$1Pondering…').replace(/[Rr]etrying in/g, 'next try in')];
  const footer: Rewording = ['footer', (s) => s.replace(/esc to interrupt/g, 'esc to stop')];

  it('never reads a busy screen as idle', () => {
    expectNeverIdle(claude, withStatus(cases, 'busy'), [spinnerGlyph, spinnerWord, footer]);
  });

  it('still reads a reworded live spinner as busy', () => {
    const screen = cases.find((c) => c.name === 'busy_streaming')!.screen;
    expect(claude.detect(footer[1](spinnerWord[1](spinnerGlyph[1](screen))))).toBe('busy');
  });

  it('reads an idle screen whose footer hints are reworded as unknown', () => {
    const idle = withStatus(cases, 'idle').filter((c) => /\? for shortcuts|mode on/.test(c.screen));
    expectUnknownWithoutIdleMarker(claude, idle, (s) =>
      s.replace(/\? for shortcuts/g, '? for help').replace(/ mode on\b/g, ' mode active').replace(/permissions on/g, 'permissions active'),
    );
  });
});

describe('Gemini CLI with a changed spinner', () => {
  const cases = goldenCases('gemini_cli');
  const phrase: Rewording = ['spinner phrase', (s) => s.replace(/Thinking\.\.\. \(esc to cancel, /g, 'Pondering (esc to stop, ')];
  const glyph: Rewording = ['spinner glyph', (s) => s.replace(/^( ?)[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /gm, '$1◐ ')];

  it('never reads a busy screen as idle', () => {
    expectNeverIdle(gemini, withStatus(cases, 'busy'), [phrase, glyph]);
  });

  it('reads an idle screen whose shortcuts hint is reworded as unknown', () => {
    const idle = withStatus(cases, 'idle').filter((c) => /\? for shortcuts/.test(c.screen));
    expectUnknownWithoutIdleMarker(gemini, idle, (s) => s.replace(/\? for shortcuts/g, '? for help'));
  });
});

describe('Codex with a changed run state or live indicator', () => {
  const cases = goldenCases('codex');
  const runState: Rewording = ['run state', (s) => s.replace(/^ {2}Working · /gm, '  Busy · ')];
  const indicator: Rewording = [
    'live indicator',
    (s) => s.replace(/Working \(/g, 'Busy (').replace(/Reconnecting\.\.\./g, 'Retrying').replace(/esc to interrupt/g, 'esc to stop'),
  ];

  it('never reads a busy screen as idle', () => {
    const busy = withStatus(cases, 'busy');
    expectNeverIdle(codex, busy, [runState]);
    expectNeverIdle(codex, busy.filter((c) => c.screen !== indicator[1](c.screen)), [runState, indicator]);
  });

  it('reads an idle screen whose run state is reworded as unknown', () => {
    expectUnknownWithoutIdleMarker(codex, withStatus(cases, 'idle'), (s) => s.replace(/^ {2}Ready · /gm, '  Waiting · '));
  });
});

describe('Ollama with a changed spinner', () => {
  const cases = goldenCases('ollama');
  const glyph: Rewording = ['spinner glyph', (s) => s.replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '◐')];
  const thinking: Rewording = ['thinking words', (s) => s.replace(/Thinking\.\.\./g, 'Pondering…')];

  it('never reads a busy screen as idle', () => {
    const busy = withStatus(cases, 'busy');
    expectNeverIdle(ollama, busy.filter((c) => c.screen !== glyph[1](c.screen)), [glyph]);
    expectNeverIdle(ollama, busy.filter((c) => c.screen !== thinking[1](c.screen)), [thinking]);
  });
});

describe('a user provider without a matching pattern', () => {
  const file = fileURLToPath(new URL('../fixtures/fake-agent.provider.yaml', import.meta.url));
  // As TestEnv installs it: {{fixtures}} is the fixture's own placeholder, filled in before loading.
  const text = readFileSync(file, 'utf8').replaceAll('{{fixtures}}', fileURLToPath(new URL('../fixtures', import.meta.url)));
  const fakeAgent = providerFromConfig(userProviderSchema.parse(YAML.parse(text)));
  const cases = goldenCases('fake_agent');

  it('never reads a busy screen with a changed spinner as idle', () => {
    const glyph: Rewording = ['spinner glyph', (s) => s.replace(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /gm, '◐ ')];
    const words: Rewording = ['spinner words', (s) => s.replace(/(Thinking|Responding)…/g, 'Pondering…')];
    expectNeverIdle(fakeAgent, withStatus(cases, 'busy'), [glyph, words]);
  });

  it('reads an empty screen as starting, and output that no pattern names as unknown', () => {
    expect(fakeAgent.detect('')).toBe('starting');
    expect(fakeAgent.detect('\n  \n')).toBe('starting');
    expect(fakeAgent.detect('Loading the agent…')).toBe('unknown');
  });
});
