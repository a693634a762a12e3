import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('tmux_session', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('terminals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('tmux_window', 'text', (c) => c.notNull())
    .addColumn('tmux_pane', 'text', (c) => c.notNull())
    .addColumn('window_name', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('profile', 'text')
    .addColumn('cwd', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('caller_terminal_id', 'text')
    .addColumn('last_response', 'text')
    .addColumn('status_detail', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('last_active_at', 'integer', (c) => c.notNull())
    .addColumn('exited_at', 'integer')
    .addColumn('exit_code', 'integer')
    .execute();
  await db.schema.createIndex('terminals_session').on('terminals').column('session_id').execute();
  await db.schema.createIndex('terminals_status').on('terminals').column('status').execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('terminal_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').execute();
  await db.schema.dropTable('terminals').execute();
  await db.schema.dropTable('sessions').execute();
}
