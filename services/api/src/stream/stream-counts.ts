/** Open streams per client key; a key with none is forgotten, so the map holds connected clients only. */
export class StreamCounts {
  private readonly counts = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** Counts a stream of `key`, or returns null when the key has `max` open; call the release once it ends (more calls are no-ops). */
  open(key: string): (() => void) | null {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.max) return null;
    this.counts.set(key, n + 1);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left <= 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
  }

  /** Open streams of `key`. */
  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
