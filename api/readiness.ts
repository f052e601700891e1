/**
 * `/readyz`: is this API process able to serve? Each check is bounded by a timeout; all run at once.
 * The checks of the real process: MongoDB answers a ping, SQS answers (the work queue's URL), and
 * the issuer's signing keys have been fetched at least once.
 */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when ready; throws (or times out) with the reason otherwise. */
  check(): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, "ok" | string>>;
}

export async function runReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = 2_000,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.check(),
          new Promise<never>((_, fail) => {
            timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [c.name, "ok"] as const;
      } catch (err) {
        return [c.name, err instanceof Error ? err.message : String(err)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, r]) => r === "ok"), checks: Object.fromEntries(results) };
}
