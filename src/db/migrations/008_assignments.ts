import type { Kysely } from 'kysely';

/** Assignments are followed like handoffs, so that the worker's report reaches its caller. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('handoffs').addColumn('mode', 'text', (c) => c.notNull().defaultTo('handoff')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('handoffs').dropColumn('mode').execute();
}
