import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a recorded screen must read as: `<case>.json` beside `<case>.screen.txt`. */
export interface GoldenExpectation {
  status: string;
  lastResponse: string | null;
  /** The input box still holds text (a prompt put back, a paste not submitted); false if left out. */
  inputPending?: boolean;
  note?: string;
}

export interface GoldenCase {
  name: string;
  screen: string;
  expected: GoldenExpectation;
}

/** One provider's recorded screens: case names, each screen and expectation, the CLI version. */
export interface GoldenSet {
  names: string[];
  version: string;
  screenOf(name: string): string;
  expectedOf(name: string): GoldenExpectation;
}

const goldenRoot = fileURLToPath(new URL('../golden/', import.meta.url));

export function goldenSet(provider: string): GoldenSet {
  const dir = join(goldenRoot, provider);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.screen.txt'))
    .map((f) => f.slice(0, -'.screen.txt'.length))
    .sort();
  return {
    names,
    version: readFileSync(join(dir, 'VERSION'), 'utf8').trim(),
    screenOf: (name) => readFileSync(join(dir, `${name}.screen.txt`), 'utf8'),
    expectedOf: (name) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as GoldenExpectation,
  };
}

/** Every recorded screen of one provider, with what its detector and extractor must say. */
export function goldenCases(provider: string): GoldenCase[] {
  const set = goldenSet(provider);
  return set.names.map((name) => ({ name, screen: set.screenOf(name), expected: set.expectedOf(name) }));
}
