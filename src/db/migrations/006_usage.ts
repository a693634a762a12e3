import type { Kysely } from 'kysely';

/**
 * Token usage per terminal (src/usage). Depends on no migration after 004: terminal ids are
 * plain text, not foreign keys, so the figures outlive the terminal rows housekeeping removes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('usage_sources')
    .addColumn('terminal_id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('session_name', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('profile', 'text')
    .addColumn('caller_terminal_id', 'text')
    /** 'claude_code', 'codex', 'gemini_cli'; null: the agent keeps no records the conductor reads (usage unknown). */
    .addColumn('format', 'text')
    /** The agent's config dir or home holding its records. */
    .addColumn('dir', 'text')
    /** Claude Code: the --session-id that names its transcript. */
    .addColumn('record_session_id', 'text')
    /** 1: `dir` is the user's shared home, where a record file is this terminal's by its cwd and start time. */
    .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cwd', 'text')
    /** The profile's maxCostUsd at launch. */
    .addColumn('max_cost_usd', 'real')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    /** Set after the last read once the terminal no longer runs: its records cannot grow any more. */
    .addColumn('finished_at', 'integer')
    .execute();
  await db.schema.createIndex('usage_sources_caller').on('usage_sources').column('caller_terminal_id').execute();

  await db.schema
    .createTable('usage_files')
    .addColumn('terminal_id', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    /** Bytes read and counted: everything before the last complete line seen. */
    .addColumn('offset', 'integer', (c) => c.notNull())
    /** Reader state carried between reads (Codex: running totals and the current model), JSON. */
    .addColumn('state', 'text')
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_files_pk', ['terminal_id', 'path'])
    .execute();

  await db.schema
    .createTable('usage_responses')
    .addColumn('terminal_id', 'text', (c) => c.notNull())
    /** One model response: Claude message id + request id, Codex event position, Gemini message id. */
    .addColumn('response_key', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('input_tokens', 'integer', (c) => c.notNull())
    .addColumn('output_tokens', 'integer', (c) => c.notNull())
    .addColumn('cache_read_tokens', 'integer', (c) => c.notNull())
    .addColumn('cache_write_tokens', 'integer', (c) => c.notNull())
    .addColumn('at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_responses_pk', ['terminal_id', 'response_key'])
    .execute();
  await db.schema.createIndex('usage_responses_at').on('usage_responses').columns(['terminal_id', 'at']).execute();

  await db.schema
    .createTable('usage_budget_requests')
    .addColumn('terminal_id', 'text', (c) => c.primaryKey())
    .addColumn('limit_usd', 'real', (c) => c.notNull())
    .addColumn('approval_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_budget_requests').execute();
  await db.schema.dropTable('usage_responses').execute();
  await db.schema.dropTable('usage_files').execute();
  await db.schema.dropTable('usage_sources').execute();
}
