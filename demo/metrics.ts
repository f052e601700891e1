/**
 * The demo fleet's Prometheus endpoints: one port per process from a base (9464 by default, the usual
 * exporter port), skipping ports already taken (a demo kept running with `--keep-stack`, say), and a
 * short excerpt of what they export at the end of the run.
 */
import { createServer } from "node:net";
import { parseExposition } from "../shared/metrics/exposition.ts";

/** True when nothing listens on `port` on any local address. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
  });
}

/** `count` free ports from `base` upwards (at most 200 tried). */
export async function pickFreePorts(base: number, count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let p = base; ports.length < count && p < base + 200 && p <= 65_535; p++) {
    if (await isFree(p)) ports.push(p);
  }
  if (ports.length < count) throw new Error(`no ${count} free ports from ${base} to ${base + 199}`);
  return ports;
}

/** The samples of `names` in a Prometheus text exposition, as printed lines (`name{labels} value`). */
export function pickSamples(text: string, names: readonly string[]): string[] {
  return parseExposition(text)
    .filter((s) => names.includes(s.name))
    .map((s) => s.line);
}

/** Scrapes one endpoint; a failure comes back as a one-line note instead of throwing. */
export async function scrape(url: string): Promise<{ ok: true; text: string } | { ok: false; note: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return { ok: false, note: `${url}: HTTP ${res.status}` };
    return { ok: true, text: await res.text() };
  } catch (err) {
    return { ok: false, note: `${url}: ${(err as Error).message}` };
  }
}
