import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file a terminal's hook command reads: `<port> <secret> <terminal id>`, readable by the user alone. */
export function endpointFile(runtimeDir: string): string {
  return join(runtimeDir, 'hook-endpoint');
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

export type HookAuthorisation = 'ok' | 'unauthorized' | 'forbidden';

/**
 * One secret per terminal, so a hook can speak only for its own terminal. Kept in the terminal's
 * private runtime folder (the hook reads it there) and, hashed, in memory here.
 */
export class HookSecrets {
  private readonly byTerminal = new Map<string, Buffer>();
  private readonly terminalByDigest = new Map<string, string>();

  /** A new terminal: a fresh secret, written to its endpoint file. */
  issue(terminalId: string, runtimeDir: string, port: number): string {
    const secret = randomBytes(32).toString('hex');
    writeEndpoint(runtimeDir, port, secret, terminalId);
    this.remember(terminalId, secret);
    return secret;
  }

  /**
   * A terminal that outlived a daemon restart keeps its secret; its endpoint file is rewritten
   * with the port this daemon listens on. False when it has no endpoint (launched without events).
   */
  adopt(terminalId: string, runtimeDir: string, port: number): boolean {
    let line: string;
    try {
      line = readFileSync(endpointFile(runtimeDir), 'utf8').trim();
    } catch {
      return false;
    }
    const [oldPort, secret, id] = line.split(' ');
    if (!secret || id !== terminalId) return false;
    if (Number(oldPort) !== port) writeEndpoint(runtimeDir, port, secret, terminalId);
    this.remember(terminalId, secret);
    return true;
  }

  forget(terminalId: string): void {
    const known = this.byTerminal.get(terminalId);
    if (known) this.terminalByDigest.delete(known.toString('hex'));
    this.byTerminal.delete(terminalId);
  }

  /** `forbidden`: a valid secret of another terminal; `unauthorized`: no secret, or one nobody holds. */
  authorise(terminalId: string, given: string | undefined): HookAuthorisation {
    if (!given) return 'unauthorized';
    const hash = digest(given);
    const expected = this.byTerminal.get(terminalId);
    if (expected && timingSafeEqual(hash, expected)) return 'ok';
    return this.terminalByDigest.has(hash.toString('hex')) ? 'forbidden' : 'unauthorized';
  }

  private remember(terminalId: string, secret: string): void {
    this.forget(terminalId);
    const hash = digest(secret);
    this.byTerminal.set(terminalId, hash);
    this.terminalByDigest.set(hash.toString('hex'), terminalId);
  }
}

function writeEndpoint(runtimeDir: string, port: number, secret: string, terminalId: string): void {
  writeFileSync(endpointFile(runtimeDir), `${port} ${secret} ${terminalId}\n`, { mode: 0o600 });
}
