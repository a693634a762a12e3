/**
 * Where an agent CLI keeps its state for one terminal. `isolated`: a fresh, pre-seeded config
 * folder under the terminal's runtime folder (no dialogs, nothing of the user's touched; needs an
 * API key in the environment). `user`: the user's own config and login.
 */
export type ConfigMode = 'isolated' | 'user';

/** `override` (e.g. CONDUCTOR_CLAUDE_CONFIG) forces a mode; otherwise an API key means isolated. */
export function chooseConfigMode(env: Record<string, string | undefined>, override: string, keyVars: string[]): ConfigMode {
  const forced = env[override];
  if (forced === 'isolated' || forced === 'user') return forced;
  return keyVars.some((name) => env[name]) ? 'isolated' : 'user';
}
