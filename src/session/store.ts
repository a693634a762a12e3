import type { Db } from '../db/database.js';
import type { SessionTable } from '../db/schema.js';
import { NotFoundError } from '../errors.js';

export class SessionStore {
  constructor(private readonly db: Db) {}

  async insert(row: SessionTable): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** By id or by name. */
  async find(idOrName: string): Promise<SessionTable | undefined> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
  }

  async get(idOrName: string): Promise<SessionTable> {
    const found = await this.find(idOrName);
    if (!found) throw new NotFoundError('session', idOrName);
    return found;
  }

  async list(): Promise<SessionTable[]> {
    return this.db.selectFrom('sessions').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }
}
