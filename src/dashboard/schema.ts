import { z } from 'zod';

export const loginSchema = z
  .object({ code: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'a login code comes from the link `conductor dashboard` prints') })
  .strict();

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** What `POST /dashboard/codes` answers: the link to open, valid once until `expiresAt`. */
export interface LoginLink {
  url: string;
  expiresAt: string;
}
