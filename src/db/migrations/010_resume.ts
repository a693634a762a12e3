import type { Kysely } from 'kysely';

/**
 * What it takes to start a terminal's agent again after a reboot (`conductor resume`): one row per
 * terminal, written at launch. Depends only on 001 (terminals).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resume_records')
    .addColumn('terminal_id', 'text', (c) => c.primaryKey().references('terminals.id').onDelete('cascade'))
    /** The `--env` values the launch was asked for (JSON object); the rest is in the runtime folder. */
    .addColumn('env', 'text', (c) => c.notNull())
    /** Where the agent keeps its conversations: 'claude_code', 'codex', 'gemini_cli', or null (none kept). */
    .addColumn('format', 'text')
    /** The agent's config folder or home that holds them. */
    .addColumn('agent_home', 'text')
    /** The agent's own conversation id: assigned at launch (Claude, Gemini) or found once it appears (Codex). */
    .addColumn('conversation_id', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('resumed_at', 'integer')
    .addColumn('resume_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('resume_records').execute();
}
