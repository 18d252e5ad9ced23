// Waiting for a state someone else changes (a console line, a port back, a board online, a
// rollout settled): each wait re-checks its condition when the owner says something changed, and
// gives up after its own timeout with its own error, built when it fires so it tells the latest.
export class Waiters {
  private readonly waiting = new Set<() => void>();

  /** `probe`'s value once it has one (checked now and at every notify()); `timedOut()` after `ms`. */
  async until<T>(probe: () => T | undefined, ms: number, timedOut: () => Error): Promise<T> {
    const first = probe();
    if (first !== undefined) return first;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v === undefined) return;
        clearTimeout(timer);
        this.waiting.delete(check);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.waiting.delete(check);
        reject(timedOut());
      }, ms);
      this.waiting.add(check);
    });
  }

  /** Something changed: every wait looks at its condition again. */
  notify(): void {
    for (const w of [...this.waiting]) w();
  }
}
