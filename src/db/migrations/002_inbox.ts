import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('sender_terminal_id', 'text')
    .addColumn('sender_label', 'text', (c) => c.notNull())
    .addColumn('receiver_terminal_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('message'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('delivery_buffer', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('delivered_at', 'integer')
    .execute();
  await db.schema.createIndex('messages_receiver_state').on('messages').columns(['receiver_terminal_id', 'state', 'id']).execute();
  await db.schema.createIndex('messages_state').on('messages').column('state').execute();

  await db.schema
    .createTable('handoffs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('caller_terminal_id', 'text')
    .addColumn('worker_terminal_id', 'text')
    .addColumn('task_message_id', 'integer')
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('keep_worker', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('result_via_inbox', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deadline_at', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('finished_at', 'integer')
    .execute();
  await db.schema.createIndex('handoffs_state').on('handoffs').column('state').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('handoffs').execute();
  await db.schema.dropTable('messages').execute();
}
