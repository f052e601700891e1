/**
 * `tenants set <tenant> key=value ...`: parsing the assignments and applying them to a tenant
 * document (pure). Values are JSON when they parse as JSON (`5`, `true`, `null`, `{"perSecond":5,
 * "burst":10}`, `"quoted"`), otherwise the raw text (`status=paused`, `reason=billing overdue`).
 */

/** Fields an operator may set; identity and bookkeeping fields (`tenantId`, `version`, `updatedAt`) are not. */
export const SETTABLE_FIELDS = [
  "status",
  "reason",
  "tier",
  "weight",
  "maxConcurrency",
  "minConcurrency",
  "rate",
  "rate.perSecond",
  "rate.burst",
  "maxQueued",
  "dailyJobQuota",
  "storage",
  "storage.database",
  "storage.mongoUrl",
  "storage.bucket",
  "storage.kmsKeyId",
] as const;

export interface Assignment {
  /** Dotted path, one of `SETTABLE_FIELDS`. */
  readonly path: string;
  readonly value: unknown;
}

export type ParseAssignmentsResult =
  | { readonly ok: true; readonly assignments: readonly Assignment[] }
  | { readonly ok: false; readonly errors: readonly string[] };

export function parseAssignments(args: readonly string[]): ParseAssignmentsResult {
  const errors: string[] = [];
  const assignments: Assignment[] = [];
  if (args.length === 0) errors.push("nothing to set: give at least one key=value");
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      errors.push(`${JSON.stringify(arg)}: expected key=value`);
      continue;
    }
    const path = arg.slice(0, eq).trim();
    if (!(SETTABLE_FIELDS as readonly string[]).includes(path)) {
      errors.push(`${path}: not a settable field (one of ${SETTABLE_FIELDS.join(", ")})`);
      continue;
    }
    assignments.push({ path, value: parseValue(arg.slice(eq + 1)) });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, assignments };
}

export function parseValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

/**
 * A copy of `doc` with the assignments applied (`rate.burst=10` creates `rate` if it is absent or
 * null), and the top-level fields that changed, for a `$set` that never trips over a null parent.
 */
export function applyAssignments(
  doc: Readonly<Record<string, unknown>>,
  assignments: readonly Assignment[],
): { doc: Record<string, unknown>; changed: string[] } {
  const next: Record<string, unknown> = structuredClone({ ...doc });
  const changed = new Set<string>();
  for (const { path, value } of assignments) {
    const [head, ...rest] = path.split(".");
    if (head === undefined) continue;
    changed.add(head);
    if (rest.length === 0) {
      next[head] = value;
      continue;
    }
    let parent = next[head];
    if (typeof parent !== "object" || parent === null || Array.isArray(parent)) {
      parent = {};
      next[head] = parent;
    }
    (parent as Record<string, unknown>)[rest.join(".")] = value;
  }
  return { doc: next, changed: [...changed] };
}
