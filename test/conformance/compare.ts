/** Comparison helpers for the conformance runner: JSON deep equality and a compact diff. */

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

export function show(value: unknown, n = 300): string {
  return clip(value === undefined ? "undefined" : (JSON.stringify(value) ?? String(value)), n);
}

/** The first differing location between two JSON values, as `path: expected … actual …`. */
export function firstDifference(expected: unknown, actual: unknown, path = "$"): string | undefined {
  if (deepEqual(expected, actual)) return undefined;
  if (
    typeof expected === "object" &&
    typeof actual === "object" &&
    expected !== null &&
    actual !== null &&
    Array.isArray(expected) === Array.isArray(actual)
  ) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
      const d = firstDifference(e[k], a[k], `${path}${Array.isArray(expected) ? `[${k}]` : `.${k}`}`);
      if (d) return d;
    }
  }
  return `${path}: expected ${show(expected, 160)}, got ${show(actual, 160)}`;
}
