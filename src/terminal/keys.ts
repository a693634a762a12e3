import { z } from 'zod';

/**
 * tmux key names, as `send-keys` knows them. tmux sends an unknown name as literal text, so a
 * typo like `Escpe` would be typed into the agent: names are checked here first.
 */
const NAMED_KEYS = [
  'Enter', 'Escape', 'Tab', 'BTab', 'Space', 'BSpace',
  'Up', 'Down', 'Left', 'Right', 'Home', 'End',
  'PageUp', 'PgUp', 'PPage', 'PageDown', 'PgDn', 'NPage', 'Insert', 'IC', 'Delete', 'DC',
  ...Array.from({ length: 12 }, (_, i) => `F${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `KP${i}`),
  'KP/', 'KP*', 'KP-', 'KP+', 'KP.', 'KPEnter',
];
const NAMED = new Map(NAMED_KEYS.map((k) => [k.toLowerCase(), k]));

/** One character keys: letters, digits and punctuation. `;` would end the tmux command. */
const SINGLE = /^[A-Za-z0-9!"#$%&'()*+,\-./:<=>?@[\\\]^_`{|}~]$/;
const MODIFIERS = /^((?:[CMS]-)*)(.+)$/;

/** True for names tmux's send-keys understands as a key: `Enter`, `C-c`, `M-Up`, `S-Tab`, `y`, `1`. */
export function isTmuxKey(name: string): boolean {
  const m = MODIFIERS.exec(name);
  if (!m) return false;
  const [, mods, key] = m;
  if (mods.length > 0 && key === '-') return true; // C-- is Ctrl and minus
  return NAMED.has(key.toLowerCase()) || SINGLE.test(key);
}

export const KEY_NAMES_HINT =
  'tmux key names: Enter, Escape, Tab, BSpace, Space, Up, Down, Left, Right, Home, End, PageUp, PageDown, F1…F12, ' +
  'a single character like y or 1, each optionally prefixed by C- (Ctrl), M- (Alt) or S- (Shift), e.g. C-c';

export const tmuxKeySchema = z
  .string()
  .max(20)
  .superRefine((name, ctx) => {
    if (!isTmuxKey(name)) ctx.addIssue({ code: 'custom', message: `'${name}' is not a tmux key name; use ${KEY_NAMES_HINT}` });
  });

/** POST /terminals/:id/keys and `conductor keys`. */
export const sendKeysSchema = z.object({ keys: z.array(tmuxKeySchema).min(1, 'give at least one key').max(50) }).strict();
export type SendKeysInput = z.infer<typeof sendKeysSchema>;
