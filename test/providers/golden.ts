import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GoldenCase {
  name: string;
  screen: string;
  expected: { status: string; lastResponse: string | null; note?: string };
}

const goldenRoot = fileURLToPath(new URL('../golden/', import.meta.url));

/** Every recorded screen of one provider, with what its detector and extractor must say. */
export function goldenCases(provider: string): GoldenCase[] {
  const dir = join(goldenRoot, provider);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.screen.txt'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.screen.txt'.length);
      return {
        name,
        screen: readFileSync(join(dir, f), 'utf8'),
        expected: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')),
      };
    });
}
