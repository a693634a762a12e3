import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('flows')
    .addColumn('name', 'text', (c) => c.primaryKey())
    /** The flow file as it was added: frontmatter and prompt template. */
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('file', 'text')
    /** Where the gate script and the agent run. */
    .addColumn('cwd', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addColumn('last_run_at', 'integer')
    .addColumn('next_run_at', 'integer')
    .execute();

  await db.schema
    .createTable('flow_runs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('terminal_id', 'text')
    .addColumn('message_id', 'integer')
    .addColumn('started_at', 'integer', (c) => c.notNull())
    .addColumn('finished_at', 'integer')
    .execute();
  await db.schema.createIndex('flow_runs_flow').on('flow_runs').columns(['flow', 'id']).execute();
  await db.schema.createIndex('flow_runs_state').on('flow_runs').column('state').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('flow_runs').execute();
  await db.schema.dropTable('flows').execute();
}
