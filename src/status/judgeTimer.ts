/**
 * One terminal's next look at its screen. A single timer: asking for an earlier look replaces a
 * later one, never the reverse, so a slow start-up re-check cannot hold back a prompt judgement.
 */
export class JudgeTimer {
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  /** Since when output has been waiting to be judged (a stream of output is still judged now and then). */
  pendingSince: number | null = null;

  constructor(private readonly clock: () => number) {}

  get armed(): boolean {
    return this.timer !== null;
  }

  at(delayMs: number, run: () => void): void {
    const due = this.clock() + delayMs;
    if (this.timer) {
      if (this.due <= due) return;
      clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      run();
    }, delayMs);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
