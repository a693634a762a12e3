import { post } from './api';
import type { Typed } from './keys';

/**
 * Keystrokes go to the daemon one call at a time, in order; whatever piles up meanwhile is
 * merged (text into one paste, keys into one press), so fast typing costs few calls.
 */
export class InputQueue {
  private pending: Typed[] = [];
  private running = false;

  constructor(
    private readonly terminalId: string,
    private readonly onError: (message: string) => void,
  ) {}

  push(item: Typed): void {
    const last = this.pending.at(-1);
    if (last && 'text' in last && 'text' in item) last.text += item.text;
    else if (last && 'keys' in last && 'keys' in item && last.keys.length + item.keys.length <= 50) last.keys.push(...item.keys);
    else this.pending.push(item);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const item = this.pending.shift()!;
        try {
          if ('text' in item) await post(`/terminals/${this.terminalId}/input`, { text: item.text, enter: false });
          else await post(`/terminals/${this.terminalId}/keys`, { keys: item.keys });
        } catch (err) {
          this.pending = [];
          this.onError((err as Error).message);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
