import type { Migration } from 'kysely';
import * as m001 from './001_core.js';
import * as m002 from './002_inbox.js';
import * as m003 from './003_approvals.js';
import * as m004 from './004_flows.js';
import * as m005 from './005_worktrees.js';

/** Numbered migrations, applied in key order at daemon start. Never edit one that has shipped: add the next. */
export const migrations: Record<string, Migration> = {
  '001_core': m001,
  '002_inbox': m002,
  '003_approvals': m003,
  '004_flows': m004,
  '005_worktrees': m005,
};
