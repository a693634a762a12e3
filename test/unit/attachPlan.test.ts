import { describe, expect, it } from 'vitest';
import { attachPlan } from '../../src/cli/attach.js';
import { resolveTmuxSocket, socketOfTmuxEnv } from '../../src/tmux/socket.js';

const target = { tmuxSession: 'conductor-s1', tmuxWindow: '@3' };

describe('attaching from where the user is', () => {
  it('attaches from a plain terminal, naming the socket', () => {
    const plan = attachPlan('/run/sockets/default', target, undefined);
    expect(plan.mode).toBe('attach');
    expect(plan.args).toEqual(['-S', '/run/sockets/default', 'attach-session', '-t', '=conductor-s1', ';', 'select-window', '-t', '@3']);
  });

  it('switches the client inside a pane of the same server', () => {
    const plan = attachPlan('/run/sockets/default', target, '/run/sockets/default,123,4');
    expect(plan.mode).toBe('switch');
    expect(plan.args).toEqual(['-S', '/run/sockets/default', 'switch-client', '-t', '@3']);
  });

  it('nests inside a pane of another server, without the outer $TMUX, and shows the command', () => {
    const plan = attachPlan('/run/sockets/default', target, '/run/sockets/work,123,0');
    expect(plan.mode).toBe('nested');
    expect(plan.unset).toEqual(['TMUX', 'TMUX_PANE']);
    expect(plan.command).toBe('TMUX= tmux -S /run/sockets/default attach-session -t =conductor-s1 \\; select-window -t @3');
  });
});

describe('the tmux socket', () => {
  it('is CONDUCTOR_TMUX_SOCKET as a path or a name, else tmux’s default, never $TMUX', () => {
    const uid = process.getuid!();
    expect(resolveTmuxSocket({ CONDUCTOR_TMUX_SOCKET: '/srv/t.sock', TMUX: '/x,1,0' })).toBe('/srv/t.sock');
    expect(resolveTmuxSocket({ CONDUCTOR_TMUX_SOCKET: 'work', TMUX_TMPDIR: '/var/t' })).toBe(`/var/t/tmux-${uid}/work`);
    expect(resolveTmuxSocket({ TMUX: '/elsewhere/sock,1,0', TMUX_TMPDIR: '/var/t' })).toBe(`/var/t/tmux-${uid}/default`);
    expect(() => resolveTmuxSocket({ CONDUCTOR_TMUX_SOCKET: 'rel/path' })).toThrow(/absolute path or a plain name/);
  });

  it('reads the socket out of $TMUX, commas in the path included', () => {
    expect(socketOfTmuxEnv('/tmp/a,b/sock,123,0')).toBe('/tmp/a,b/sock');
    expect(socketOfTmuxEnv(undefined)).toBeUndefined();
  });
});
