/** The tenants benchmark's command-line options and its deterministic probe order. */
import { intOption, parseArgs } from "../lib/args.ts";

export interface TenantsBenchOptions {
  readonly tenants: number;
  readonly busy: number;
  /** Loaded window per phase (ms). */
  readonly durationMs: number;
  /** Idle window per phase (ms). */
  readonly idleMs: number;
  /** Longest wait for a phase's replicas to settle (every tenant owned and long-polled). */
  readonly warmMs: number;
  /** Scheduler replicas of each phase, ascending (default 1 then 2). */
  readonly replicas: readonly number[];
  readonly quick: boolean;
  readonly save: boolean;
}

export function tenantsOptions(argv: readonly string[]): TenantsBenchOptions {
  const args = parseArgs(argv, ["tenants", "busy", "duration-s", "idle-s", "replicas"]);
  const quick = args.flags.has("quick");
  return {
    tenants: intOption(args, "tenants", quick ? 200 : 500),
    busy: intOption(args, "busy", 10),
    durationMs: intOption(args, "duration-s", quick ? 20 : 60) * 1000,
    idleMs: intOption(args, "idle-s", quick ? 20 : 40) * 1000,
    warmMs: quick ? 60_000 : 120_000,
    replicas: replicaPhases(args.values.get("replicas") ?? "1,2"),
    quick,
    save: !args.flags.has("no-save"),
  };
}

/** `"1,2"` → [1, 2]: positive, strictly ascending (each phase starts more replicas beside the last). */
export function replicaPhases(raw: string): number[] {
  const out = raw.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n, i) => !Number.isInteger(n) || n <= 0 || (i > 0 && n <= out[i - 1]!)))
    throw new Error(`--replicas must be ascending positive integers such as 1,2; got '${raw}'`);
  return out;
}

/** A deterministic shuffle (LCG), so runs probe the same tenants in the same order. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
