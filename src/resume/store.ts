import type { Db } from '../db/database.js';
import type { UsageRecords } from '../providers/types.js';

/** What is kept per terminal to start its agent again (see docs/resume.md). */
export interface ResumeRecord {
  terminalId: string;
  /** The `--env` values its launch was asked for. */
  env: Record<string, string>;
  /** Where the agent keeps its conversations; null: it keeps none the conductor can find. */
  format: UsageRecords['format'] | null;
  agentHome: string | null;
  /** The agent's own conversation id, once known. */
  conversationId: string | null;
  resumeCount: number;
}

/** Written inside the launch, so a terminal that exists can always be resumed or started anew. */
export async function rememberLaunch(
  db: Db,
  launch: { terminalId: string; env: Record<string, string>; usageRecords: UsageRecords | undefined; at: number },
): Promise<void> {
  await db
    .insertInto('resume_records')
    .values({
      terminal_id: launch.terminalId,
      env: JSON.stringify(launch.env),
      // An agent home shared with the user's own sessions cannot tell this terminal's conversation
      // apart by file alone; only an assigned id (Claude) still names it there.
      format: launch.usageRecords?.format ?? null,
      agent_home: launch.usageRecords?.dir ?? null,
      conversation_id: launch.usageRecords?.sessionId ?? null,
      created_at: launch.at,
    })
    .execute();
}

export class ResumeStore {
  constructor(private readonly db: Db) {}

  async find(terminalId: string): Promise<ResumeRecord | undefined> {
    const row = await this.db.selectFrom('resume_records').selectAll().where('terminal_id', '=', terminalId).executeTakeFirst();
    if (!row) return undefined;
    return {
      terminalId: row.terminal_id,
      env: JSON.parse(row.env) as Record<string, string>,
      format: row.format as ResumeRecord['format'],
      agentHome: row.agent_home,
      conversationId: row.conversation_id,
      resumeCount: Number(row.resume_count),
    };
  }

  async setConversation(terminalId: string, conversationId: string): Promise<void> {
    await this.db.updateTable('resume_records').set({ conversation_id: conversationId }).where('terminal_id', '=', terminalId).execute();
  }

  /** After a resume: the conversation it continues (a fresh start has a new one, or none yet). */
  async resumed(terminalId: string, at: number, conversationId: string | null): Promise<void> {
    await this.db
      .updateTable('resume_records')
      .set((eb) => ({ resumed_at: at, conversation_id: conversationId, resume_count: eb('resume_count', '+', 1) }))
      .where('terminal_id', '=', terminalId)
      .execute();
  }
}
