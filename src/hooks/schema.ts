import { z } from 'zod';
import { terminalIdSchema } from '../terminal/schema.js';

/** A hook's name as it appears in its URL: the CLI's event name, or the one its command line gives. */
export const hookNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a hook name is 1 to 64 letters, digits, `_`, `.` or `-`');

export const hookCallSchema = z.object({
  terminalId: terminalIdSchema,
  name: hookNameSchema,
  /** What the hook posted: one JSON object (every supported CLI sends an object). */
  payload: z.record(z.string(), z.unknown()),
});

export type HookCall = z.infer<typeof hookCallSchema>;

/** `CONDUCTOR_AGENT_EVENTS=off` in the launching shell (or the profile's env) launches without hooks: screen only. */
export function eventsWanted(env: Record<string, string | undefined>): boolean {
  return !/^(off|0|false|no)$/i.test(env.CONDUCTOR_AGENT_EVENTS ?? '');
}
