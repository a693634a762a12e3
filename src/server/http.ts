import type { Context } from 'hono';
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { terminalIdSchema } from '../terminal/schema.js';

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

/** Validates a value with a zod schema; failures become a 400 that names the field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(`invalid ${what}: ${describe(result.error)}`, result.error.issues);
  return result.data;
}

export async function body<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let parsed: unknown = {};
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidInputError('the request body is not valid JSON');
    }
  }
  return validate(schema, parsed, 'request body');
}

export function terminalId(c: Context): string {
  return validate(terminalIdSchema, c.req.param('id'), 'terminal id');
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return validate(schema, c.req.query(), 'query');
}
