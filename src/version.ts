import { readFileSync } from 'node:fs';
import { PACKAGE_NAME } from './config/paths.js';

function readVersion(): string {
  // Compiled, this file sits one folder deeper (dist/src) than its source (src).
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === PACKAGE_NAME) return pkg.version;
    } catch {
      // Try the next candidate.
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
