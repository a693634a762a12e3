import { describe, expect, it } from 'vitest';
import { DashboardLogins, LOGIN_CODE_TTL_MS, SESSION_TTL_MS } from '../../src/dashboard/logins.js';

function world() {
  let now = 1_000_000;
  const logins = new DashboardLogins(() => now);
  return { logins, advance: (ms: number) => (now += ms) };
}

describe('dashboard login codes and sessions', () => {
  it('a code logs in once; the second use is refused as already used', () => {
    const { logins } = world();
    const { code } = logins.issueCode();
    const session = logins.redeem(code);
    expect(session.sessionId).not.toBe(session.csrf);
    expect(() => logins.redeem(code)).toThrow(/already used.*conductor dashboard/);
  });

  it('a code past its lifetime is refused as expired, naming how long links last', () => {
    const { logins, advance } = world();
    const { code } = logins.issueCode();
    advance(LOGIN_CODE_TTL_MS);
    expect(() => logins.redeem(code)).toThrow(/expired \(links last 2 minutes\).*conductor dashboard/);
  });

  it('an unknown code is refused as not valid', () => {
    expect(() => world().logins.redeem('nope-nope-nope-nope-nope')).toThrow(/not valid/);
  });

  it('a session needs its own CSRF token, and ends after its lifetime', () => {
    const { logins, advance } = world();
    const s = logins.redeem(logins.issueCode().code);
    expect(logins.verify(s.sessionId, s.csrf).expiresAt).toBe(s.expiresAt);
    expect(() => logins.verify(s.sessionId, undefined)).toThrow(/x-conductor-csrf/);
    expect(() => logins.verify(s.sessionId, `${s.csrf.slice(1)}x`)).toThrow(/x-conductor-csrf/);
    const other = logins.redeem(logins.issueCode().code);
    expect(() => logins.verify(s.sessionId, other.csrf)).toThrow(/x-conductor-csrf/);
    advance(SESSION_TTL_MS);
    expect(() => logins.verify(s.sessionId, s.csrf)).toThrow(/session ended/);
  });

  it('a logged-out session is gone', () => {
    const { logins } = world();
    const s = logins.redeem(logins.issueCode().code);
    logins.end(s.sessionId);
    expect(() => logins.verify(s.sessionId, s.csrf)).toThrow(/session ended/);
  });
});
