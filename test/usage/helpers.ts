import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, openDatabase, type OpenedDatabase } from '../../src/db/database.js';
import { configureRootLogger, flushRootLogger } from '../../src/logger.js';
import { PriceTable } from '../../src/usage/prices.js';
import { UsageReporter } from '../../src/usage/report.js';
import { UsageStore } from '../../src/usage/store.js';
import { UsageTracker } from '../../src/usage/tracker.js';

export const fixtureDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const fixture = (name: string) => readFileSync(join(fixtureDir, name), 'utf8');

/** A migrated database, a store, a tracker and a reporter in a temporary home; the log goes to a file. */
export async function usageWorld(prices = new PriceTable({})) {
  const home = mkdtempSync(join(tmpdir(), 'conductor-usage-'));
  const logFile = join(home, 'daemon.log');
  configureRootLogger(logFile);
  const opened: OpenedDatabase = openDatabase(join(home, 'conductor.db'));
  await migrate(opened.db);
  const store = new UsageStore(opened.db);
  const tracker = (priceTable = prices, isLive = (_id: string) => true, clock = () => Date.now()) =>
    new UsageTracker({ store, prices: () => priceTable, clock, isLive });
  return {
    home,
    db: opened.db,
    store,
    tracker,
    reporter: new UsageReporter(store, () => prices),
    log: () => {
      flushRootLogger();
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    close: async () => {
      await opened.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export function terminal(id: string, provider: string, callerTerminalId: string | null = null, cwd = '/home/dev/project') {
  return { id, sessionId: 's-1', sessionName: 'work', provider, profile: null, callerTerminalId, cwd };
}
