/**
 * Progress of a long provisioning run on stderr: a bar redrawn in place on a TTY, otherwise a plain
 * line at most every `everyMs` (and at the end), so logs of CI runs stay readable.
 */
export interface ProgressSink {
  readonly isTTY: boolean;
  write(text: string): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly now?: () => number;
  /** Least time between plain lines (not a TTY); default 5 s. */
  readonly everyMs?: number;
  /** Bar width in characters; default 30. */
  readonly width?: number;
}

export function progressBar(done: number, total: number, width: number): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/** Returns the `onProgress` callback for `provision` and a `finish()` that ends the line. */
export function createProgress(sink: ProgressSink, options: ProgressOptions) {
  const now = options.now ?? Date.now;
  const started = now();
  const everyMs = options.everyMs ?? 5_000;
  let lastLineAt: number | undefined;
  let last = { done: 0, total: 0 };
  const text = (done: number, total: number) => {
    const s = ((now() - started) / 1000).toFixed(1);
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    return `${options.label} ${done}/${total} (${pct} %) ${s} s`;
  };
  return {
    onProgress(done: number, total: number): void {
      last = { done, total };
      if (sink.isTTY) {
        sink.write(`\r${progressBar(done, total, options.width ?? 30)} ${text(done, total)}`);
        return;
      }
      const t = now();
      if (done === total || lastLineAt === undefined || t - lastLineAt >= everyMs) {
        lastLineAt = t;
        sink.write(`${text(done, total)}\n`);
      }
    },
    finish(): void {
      if (sink.isTTY && last.total > 0) sink.write("\n");
    },
  };
}
