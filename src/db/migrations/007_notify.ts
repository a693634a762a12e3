import type { Kysely } from 'kysely';

/** Notification targets (`conductor notify add`). Depends on no other migration after 004. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notify_targets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** 'webhook', 'desktop' or 'tmux'. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    /** How a webhook's body is shaped: 'json', 'slack', 'discord' or 'ntfy'. */
    .addColumn('format', 'text', (c) => c.notNull())
    /** JSON array of event names. */
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('last_delivered_at', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'integer')
    /** 1 once a delivery used up its retries; the next success clears it. */
    .addColumn('failing', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notify_targets').execute();
}
