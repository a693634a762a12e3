import { moduleLogger } from '../logger.js';
import { resumeMany, type ResumeDeps } from './operations.js';

const log = moduleLogger('resume');

/** `CONDUCTOR_AUTO_RESUME=1`: the daemon resumes every lost terminal as it starts, in the background. */
export function autoResume(deps: ResumeDeps, env: NodeJS.ProcessEnv = process.env): void {
  const wanted = env.CONDUCTOR_AUTO_RESUME;
  if (wanted === undefined || wanted === '' || wanted === '0') return;
  if (wanted !== '1') {
    log.warn({ value: wanted }, 'CONDUCTOR_AUTO_RESUME is neither 1 nor 0: lost terminals are not resumed');
    return;
  }
  void resumeMany(deps, { fresh: false }).then(
    (outcomes) => {
      for (const o of outcomes) {
        if (o.result === 'failed') log.warn({ terminal: o.terminalId, err: o.error }, 'auto-resume failed: the terminal stays lost');
      }
      if (outcomes.length) log.info({ resumed: outcomes.filter((o) => o.result !== 'failed').length, of: outcomes.length }, 'auto-resumed lost terminals');
    },
    (err) => log.warn({ err: (err as Error).message }, 'auto-resume failed'),
  );
}
