import type { Migration } from 'kysely';
import * as m001 from './001_core.js';

/** Numbered migrations, applied in key order at daemon start. Never edit one that has shipped: add the next. */
export const migrations: Record<string, Migration> = {
  '001_core': m001,
};
