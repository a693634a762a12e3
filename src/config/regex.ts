import { z } from 'zod';

/**
 * A string that must compile as a regular expression with `flags`. Compiled at validation time,
 * so a bad pattern is refused when its file is read (naming the field and the engine's message),
 * never later when a tool call is being checked.
 */
export function regexSchema(flags = '') {
  return z.string().min(1).superRefine((value, ctx) => {
    try {
      new RegExp(value, flags);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
    }
  });
}
