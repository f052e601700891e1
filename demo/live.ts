import { allSettled, renderLine, renderTable, tally, type JobView, type TenantTally } from "./progress.ts";

export interface LiveOptions {
  readonly tenants: readonly string[];
  readonly sent: ReadonlyMap<string, number>;
  readonly read: () => Promise<JobView[]>;
  readonly startedAt: number;
  readonly timeoutMs: number;
  /** Where the view goes (stderr); a TTY gets a table redrawn in place, anything else plain lines. */
  readonly out: NodeJS.WriteStream;
  /** Lines like "worker-2 exited" to show under the table. */
  readonly notes: () => string[];
  readonly now?: () => number;
}

const REDRAW_MS = 500;
const LINE_EVERY_MS = 5_000;

/**
 * Shows per-tenant progress until every job has come to rest (complete, failed or waiting for
 * review) or the timeout passes. Returns the last tally and whether everything settled.
 */
export async function watchProgress(o: LiveOptions): Promise<{ rows: TenantTally[]; settled: boolean }> {
  const now = o.now ?? Date.now;
  const tty = o.out.isTTY === true;
  let drawn = 0;
  let lastLine = 0;
  let rows: TenantTally[] = [];
  for (;;) {
    rows = tally(o.tenants, o.sent, await o.read());
    const elapsed = now() - o.startedAt;
    const settled = allSettled(rows);
    const total = [...o.sent.values()].reduce((a, b) => a + b, 0);
    const done = rows.reduce((n, r) => n + r.complete + r.failed + r.review, 0);
    if (tty) {
      const footer = `${(elapsed / 1000).toFixed(0)} s · ${done} of ${total} jobs at rest${o
        .notes()
        .map((n) => ` · ${n}`)
        .join("")}`;
      const lines = renderTable(rows, footer);
      // Move up over the previous drawing and clear it, then draw again.
      o.out.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ""}${lines.join("\n")}\n`);
      drawn = lines.length;
    } else if (settled || now() - lastLine >= LINE_EVERY_MS) {
      o.out.write(`[demo] ${renderLine(rows, elapsed)}\n`);
      for (const n of o.notes()) o.out.write(`[demo] ${n}\n`);
      lastLine = now();
    }
    if (settled) return { rows, settled: true };
    if (elapsed > o.timeoutMs) return { rows, settled: false };
    await new Promise((r) => setTimeout(r, REDRAW_MS));
  }
}
