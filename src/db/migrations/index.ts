import type { Migration } from 'kysely';
import * as m001 from './001_core.js';
import * as m002 from './002_inbox.js';
import * as m003 from './003_approvals.js';
import * as m004 from './004_flows.js';
import * as m005 from './005_worktrees.js';
import * as m006 from './006_usage.js';
import * as m007 from './007_notify.js';
import * as m008 from './008_assignments.js';
import * as m010 from './010_resume.js';

/** Numbered migrations, applied in key order at daemon start. Never edit one that has shipped: add the next. */
export const migrations: Record<string, Migration> = {
  '001_core': m001,
  '002_inbox': m002,
  '003_approvals': m003,
  '004_flows': m004,
  '005_worktrees': m005,
  '006_usage': m006,
  '007_notify': m007,
  '008_assignments': m008,
  '010_resume': m010,
};
