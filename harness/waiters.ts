// Waiting, each wait with its own timeout, for what someone else delivers: a state (a console
// line, a port back, a board online, a rollout settled), re-checked whenever its owner says
// something changed, failing with an error built when it fires so it tells the latest; or the
// answer to one request, matched by id.
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

/** Answers matched to their requests by id (an RPC frame's id, an SMP sequence number). */
export class Replies<K, V> {
  private readonly waiting = new Map<K, (v: V) => void>();

  /** The answer to `id` (the first `accept` takes), or undefined after `ms`; ask before sending the request. */
  next(id: K, ms: number, accept: (v: V) => boolean = () => true): Promise<V | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, ms);
      this.waiting.set(id, (v) => {
        if (!accept(v)) return;
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(v);
      });
    });
  }

  /** An answer came; one nobody waits for is dropped. */
  settle(id: K, v: V): void {
    this.waiting.get(id)?.(v);
  }
}
