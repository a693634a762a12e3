import type { Kysely } from 'kysely';

/**
 * One row per worktree a terminal was started in. Not tied to the terminal's row: a worktree
 * that holds work outlives its terminal's record (retention clean-up removes the record, never
 * the work).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('worktrees')
    .addColumn('terminal_id', 'text', (c) => c.primaryKey())
    /** The repository's main checkout. */
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('branch', 'text', (c) => c.notNull())
    /** A branch name, or a commit when the base was not a branch. */
    .addColumn('base', 'text', (c) => c.notNull())
    .addColumn('base_commit', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('merged_at', 'integer')
    .addColumn('merged_into', 'text')
    .addColumn('removed_at', 'integer')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('worktrees').execute();
}
