import { randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';

/** A login link works once, within this long of `conductor dashboard` printing it. */
export const LOGIN_CODE_TTL_MS = 2 * 60_000;
/** A used or expired code is remembered this long, so its page can say which it was. */
const SPENT_CODE_MEMORY_MS = 30 * 60_000;
/** A dashboard session lasts this long; then the page asks for a new login link. */
export const SESSION_TTL_MS = 12 * 3600_000;

interface Code {
  expiresAt: number;
  usedAt: number | null;
}

interface Session {
  csrf: string;
  expiresAt: number;
}

export interface NewSession {
  /** The HttpOnly cookie's value. */
  sessionId: string;
  /** Returned once to the page, which sends it back in a header on every call. */
  csrf: string;
  expiresAt: number;
}

const secret = () => randomBytes(32).toString('base64url');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const NEW_LINK = 'run `conductor dashboard` for a new login link';

/**
 * One-time login codes and the dashboard sessions they open, in the daemon's memory only: a
 * daemon restart logs every page out. A session is a cookie plus a CSRF token; neither alone
 * is enough (see docs/dashboard.md).
 */
export class DashboardLogins {
  private readonly codes = new Map<string, Code>();
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: () => number = Date.now) {}

  issueCode(): { code: string; expiresAt: number } {
    this.forgetOld();
    const code = secret();
    const expiresAt = this.clock() + LOGIN_CODE_TTL_MS;
    this.codes.set(code, { expiresAt, usedAt: null });
    return { code, expiresAt };
  }

  /** Trades a code for a session; an unknown, used or expired code is refused, saying which. */
  redeem(code: string): NewSession {
    this.forgetOld();
    const now = this.clock();
    const entry = this.codes.get(code);
    if (!entry) throw new UnauthorizedError(`this login link is not valid (perhaps from another daemon, or the daemon restarted): ${NEW_LINK}`);
    if (entry.usedAt !== null) throw new UnauthorizedError(`this login link was already used: each link logs in once; ${NEW_LINK}`);
    if (now >= entry.expiresAt) throw new UnauthorizedError(`this login link expired (links last ${LOGIN_CODE_TTL_MS / 60_000} minutes): ${NEW_LINK}`);
    entry.usedAt = now;
    const session: NewSession = { sessionId: secret(), csrf: secret(), expiresAt: now + SESSION_TTL_MS };
    this.sessions.set(session.sessionId, { csrf: session.csrf, expiresAt: session.expiresAt });
    return session;
  }

  /** Checks a cookie's session and the CSRF token sent with it; throws naming what is missing. */
  verify(sessionId: string, csrf: string | undefined): { expiresAt: number } {
    const s = this.sessions.get(sessionId);
    if (!s || this.clock() >= s.expiresAt) {
      this.sessions.delete(sessionId);
      throw new UnauthorizedError(`your dashboard session ended (it expired, or the daemon restarted): ${NEW_LINK}`);
    }
    if (!csrf || !same(csrf, s.csrf)) {
      throw new UnauthorizedError('missing or wrong x-conductor-csrf header: only the dashboard page itself may call the API');
    }
    return { expiresAt: s.expiresAt };
  }

  end(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  private forgetOld(): void {
    const now = this.clock();
    for (const [code, c] of this.codes) if (now >= c.expiresAt + SPENT_CODE_MEMORY_MS) this.codes.delete(code);
    for (const [id, s] of this.sessions) if (now >= s.expiresAt) this.sessions.delete(id);
  }
}
