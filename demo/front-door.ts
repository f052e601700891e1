/**
 * The demo's front door: a development token issuer (`infra/auth/dev-issuer-main.ts`, a JWKS and
 * `POST /token` on 127.0.0.1) and the jobs API (`api/main.ts`) verifying its tokens, both run as
 * processes of the demo fleet. One tenant's jobs go in through `POST /v1/jobs` with a tenant token,
 * the others as raw SQS messages: both ways in end as the same jobs (ADR 0019).
 */
import { randomBytes } from "node:crypto";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { ExtraProcess } from "./fleet.ts";
import type { DemoJob } from "./workload.ts";

/** The audience the demo's issuer signs and its API accepts. */
const AUDIENCE = "sluice-demo";

export interface FrontDoor {
  readonly apiUrl: string;
  readonly tokenUrl: string;
  /** The issuer and the API, for `startDemoFleet({extra})`. */
  readonly processes: readonly ExtraProcess[];
}

export function frontDoor(ports: { issuer: number; api: number; apiMetrics?: number }): FrontDoor {
  const issuer = `http://127.0.0.1:${ports.issuer}`;
  return {
    apiUrl: `http://127.0.0.1:${ports.api}`,
    tokenUrl: `${issuer}/token`,
    processes: [
      {
        name: "issuer",
        entry: "infra/auth/dev-issuer-main.ts",
        args: ["--port", String(ports.issuer), "--audience", AUDIENCE],
      },
      {
        name: "api",
        entry: "api/main.ts",
        env: {
          SLUICE_API_PORT: String(ports.api),
          SLUICE_API_JWT_ISSUER: issuer,
          SLUICE_API_JWKS_URL: `${issuer}/.well-known/jwks.json`,
          SLUICE_API_JWT_AUDIENCE: AUDIENCE,
          SLUICE_API_CURSOR_SECRET: randomBytes(24).toString("base64url"),
          ...(ports.apiMetrics !== undefined ? { SLUICE_METRICS_PORT: String(ports.apiMetrics) } : {}),
        },
      },
    ],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the API answers `/readyz` 200 (its keys fetched, MongoDB and SQS reachable). */
export async function waitForApi(door: FrontDoor, timeoutMs: number, died: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < end) {
    if (died()) throw new Error("the API or the token issuer process exited (see its log)");
    try {
      const res = await fetch(`${door.apiUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `/readyz answered ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`the API was not ready within ${timeoutMs / 1000} s (${last})`);
}

/** A token from the demo's issuer with these claims (e.g. a tenant and scopes). */
export async function demoToken(door: FrontDoor, claims: Record<string, unknown>): Promise<string> {
  const res = await fetch(door.tokenUrl, { method: "POST", body: JSON.stringify(claims) });
  if (!res.ok) throw new Error(`the token issuer answered ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Submits `jobs` (all of `tenant`) through `POST /v1/jobs`, their idempotency keys as
 * `Idempotency-Key`; returns when each was accepted. A refusal throws with the API's error.
 */
export async function submitThroughApi(
  door: FrontDoor,
  tenant: TenantId,
  jobs: readonly DemoJob[],
): Promise<Map<string, number>> {
  const token = await demoToken(door, {
    "custom:tenant_id": tenant,
    sub: "demo",
    scope: "sluice/submit sluice/read",
  });
  const sentAt = new Map<string, number>();
  await Promise.all(
    jobs.map(async (j) => {
      const res = await fetch(`${door.apiUrl}/v1/jobs`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": j.idempotencyKey,
        },
        body: JSON.stringify({ workflow: j.workflow, input: j.input }),
      });
      if (res.status !== 202)
        throw new Error(`POST /v1/jobs for ${j.idempotencyKey} answered ${res.status}: ${await res.text()}`);
      sentAt.set(j.idempotencyKey, Date.now());
    }),
  );
  return sentAt;
}

/** What `--keep-stack` prints about the API: where it is and how to get a token for curl and the console. */
export function frontDoorHints(door: FrontDoor): string[] {
  const token = (claims: string) => `curl -s -X POST ${door.tokenUrl} -d '${claims}'`;
  return [
    `the jobs API: ${door.apiUrl} (OpenAPI at ${door.apiUrl}/openapi.json; console at ${door.apiUrl}/console/)`,
    `a tenant token:    ${token('{"custom:tenant_id":"small-co","scope":"sluice/submit sluice/read sluice/review"}')}`,
    `an operator token: ${token('{"sub":"you","scope":"sluice/operator"}')}   (paste its access_token into the console)`,
    "the demo's issuer signs whatever it is asked: it is for this local run only",
  ];
}
