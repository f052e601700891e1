/**
 * `npm run bench -- api`: job submissions per second through the API — real HTTP on a local port,
 * real JWT verification (RS256, the issuer's JWKS fetched over HTTP), the whole submit path (intake
 * message to SQS, job document to MongoDB) — beside direct SQS sends of the same intake messages in
 * the same run, with the same number of concurrent clients. Rounds alternate (sqs, api, api, sqs, ...)
 * so drift in the local stack hits both alike; each side's figure is its median round, latencies
 * are over every measured request of the side. Ends with the line
 *   api: submit-rps R, p99-ms P, vs-sqs-ratio Q
 *
 * Options: --requests N per round (1000), --concurrency N (32), --rounds N (2 per side), --quick
 * (300 requests, 1 round), --no-save. Starts the local stack when AWS_ENDPOINT_URL / MONGO_URL are
 * not set (and stops it after).
 */
import type { AddressInfo } from "node:net";
import { createTokenVerifier } from "../../api/auth/token-verifier.ts";
import { jobsApiDeps } from "../../api/jobs/jobs-runtime.ts";
import { jobRoutes } from "../../api/routes/jobs.ts";
import { buildApiServer } from "../../api/server.ts";
import { createTenantDirectory } from "../../api/tenants/tenant-directory.ts";
import { ensureStack } from "../../infra/stack/index.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { STATEMACHINES_DIR } from "../../shared/runtime/runtime.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { loadWorkflowCatalog } from "../../shared/workflows/catalog.ts";
import { startJwtIssuer } from "../../test/support/jwt-issuer.ts";
import { intOption, parseArgs } from "../lib/args.ts";
import { createIsolatedFleet } from "../lib/fleet.ts";
import { machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { median } from "../lib/stats.ts";

interface Round {
  rps: number;
  latencies: number[];
}

export async function apiBench(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["requests", "concurrency", "rounds"]);
  const quick = args.flags.has("quick");
  const requests = intOption(args, "requests", quick ? 300 : 1000);
  const concurrency = intOption(args, "concurrency", 32);
  const rounds = intOption(args, "rounds", quick ? 1 : 2);
  const tenant = tenantId("bench");

  progress("local stack: using AWS_ENDPOINT_URL / MONGO_URL or starting it");
  const stack = await ensureStack({});
  const issuer = await startJwtIssuer();
  const fleet = await createIsolatedFleet({
    label: "api",
    stackEnv: { ...stack.env },
    tenants: [tenant],
    settings: {
      SLUICE_API_JWT_ISSUER: issuer.issuer,
      SLUICE_API_JWKS_URL: issuer.jwksUrl,
      SLUICE_API_JWT_AUDIENCE: issuer.audience,
      SLUICE_API_DEFAULT_RATE_PER_SECOND: "1000000",
      SLUICE_API_DEFAULT_RATE_BURST: "1000000",
    },
  });
  try {
    const rt = fleet.rt;
    const catalog = await loadWorkflowCatalog(STATEMACHINES_DIR);
    const { deps, actions } = jobsApiDeps(rt, catalog, {
      uploadMaxBytes: 1 << 20,
      urlTtlSeconds: 60,
      cursorSecret: "bench-cursor-secret-0123456789",
    });
    const app = buildApiServer({
      config: fleet.config.api,
      log: rt.log,
      verifier: createTokenVerifier(fleet.config.api.auth),
      tenants: createTenantDirectory(rt.fleetDb.collection(COLLECTIONS.tenants), {
        ttlMs: fleet.config.api.tenantCacheMs,
        now: Date.now,
        log: rt.log,
      }),
      routes: [jobRoutes(deps, actions)],
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/jobs`;
    const token = await issuer.sign({ "custom:tenant_id": tenant, sub: "bench", scope: "sluice/submit" });
    const { queueUrl } = await rt.queues.intake(tenant);
    let seq = 0;
    const message = (key: string) => ({ workflow: "hello", input: { name: `n-${key}` } });

    const sqsOne = async () => {
      const key = `sqs-${seq++}`;
      await rt.sqs.send(queueUrl, {
        body: JSON.stringify({ tenantId: tenant, idempotencyKey: key, ...message(key) }),
      });
    };
    const apiOne = async () => {
      const key = `api-${seq++}`;
      const res = await fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify(message(key)),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
    };
    const run = async (one: () => Promise<void>, n: number): Promise<Round> => {
      const latencies: number[] = [];
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) {
            next++;
            const t0 = performance.now();
            await one();
            latencies.push(performance.now() - t0);
          }
        }),
      );
      return { rps: n / ((performance.now() - start) / 1000), latencies };
    };

    progress(`warm-up: ${Math.min(200, requests)} requests per side`);
    await run(sqsOne, Math.min(200, requests));
    await run(apiOne, Math.min(200, requests));
    const sides = { sqs: [] as Round[], api: [] as Round[] };
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? (["sqs", "api"] as const) : (["api", "sqs"] as const)) {
        const round = await run(side === "sqs" ? sqsOne : apiOne, requests);
        sides[side].push(round);
        progress(`round ${r + 1}/${rounds} ${side}: ${round.rps.toFixed(0)} req/s`);
      }
    }
    await app.close();
    const pct = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
    };
    const summary = (rs: Round[]) => {
      const all = rs.flatMap((r) => r.latencies);
      return { rps: median(rs.map((r) => r.rps)), p50: pct(all, 50), p99: pct(all, 99) };
    };
    const api = summary(sides.api);
    const sqs = summary(sides.sqs);
    const ratio = api.rps / sqs.rps;
    console.log(`requests per round ${requests}, concurrency ${concurrency}, rounds ${rounds} per side`);
    console.log(`side  submit/s  p50 ms  p99 ms`);
    for (const [name, s] of [
      ["api", api],
      ["sqs", sqs],
    ] as const)
      console.log(
        `${name.padEnd(4)}  ${s.rps.toFixed(0).padStart(8)}  ${s.p50.toFixed(1).padStart(6)}  ${s.p99.toFixed(1).padStart(6)}`,
      );
    if (!args.flags.has("no-save")) {
      const file = await writeResult("api", {
        benchmark: "api",
        date: new Date().toISOString(),
        machine: machineInfo(),
        requests,
        concurrency,
        rounds,
        api: { ...api, rounds: sides.api.map((r) => r.rps) },
        sqs: { ...sqs, rounds: sides.sqs.map((r) => r.rps) },
        ratio,
      });
      progress(`results written to ${file}`);
    }
    console.log(
      `api: submit-rps ${api.rps.toFixed(0)}, p99-ms ${api.p99.toFixed(1)}, vs-sqs-ratio ${ratio.toFixed(2)}`,
    );
    return 0;
  } finally {
    await fleet.cleanup();
    await issuer.close();
    if (stack.startedByUs) await stack.stop();
  }
}
