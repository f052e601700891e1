/**
 * `npm run bench -- api`: job submissions per second through the API — real HTTP on a local port,
 * real JWT verification (RS256, the issuer's JWKS fetched over HTTP), the whole submit path (job
 * document to MongoDB, intake message to SQS, ADR 0026) — beside direct SQS sends of the same intake
 * messages in the same run, with the same number of concurrent clients. Rounds alternate (sqs, api,
 * api, sqs, ...) so drift in the local stack hits both alike; each side's figure is its median round,
 * latencies are over every measured request of the side. Ends with the line
 *   api: submit-rps R, p99-ms P, vs-sqs-ratio Q
 *
 * Clients: the SQS side sends with the AWS SDK (node:http, keep-alive agent); the API side posts with
 * node:http and a keep-alive agent too (bench/api/http-client.ts) — not `fetch`, whose undici and web
 * streams cost the bench process several times the client CPU per request. Both clients run in the
 * bench process, and so does the API server.
 *
 * Concurrency (default 8): a closed loop, so latency = concurrency / throughput. On the 2-core
 * machine both sides are CPU-bound from about 8 clients (the API side measured 324/s at 8, 351/s at
 * 16, 340/s at 32, with p99 47, 95 and 322 ms): more clients add queueing delay, not submissions. 8
 * is the smallest that reaches the plateau, so p99 shows the path's own latency at its full rate.
 *
 * CPU per request, per side and round: the bench process's own `process.cpuUsage()` (client, plus
 * the API server on the API side), and — when the stack runs on this host from this clone — the
 * LocalStack and MongoDB-wire server process groups' CPU from /proc (bench/lib/proc-cpu.ts).
 *
 * Options: --requests N per round (1000), --concurrency N (8), --rounds N (2 per side), --quick
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
import { groupCpuMs } from "../lib/proc-cpu.ts";
import { median } from "../lib/stats.ts";
import { jsonPoster } from "./http-client.ts";

/** Closed-loop clients per side (see the module doc for the choice). */
export const DEFAULT_CONCURRENCY = 8;

/** CPU ms per request of one round: the bench process, and each stack service measured. */
interface CpuPerRequest {
  bench: number;
  localstack?: number;
  mongo?: number;
}

interface Round {
  rps: number;
  latencies: number[];
  cpu: CpuPerRequest;
}

export async function apiBench(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["requests", "concurrency", "rounds"]);
  const quick = args.flags.has("quick");
  const requests = intOption(args, "requests", quick ? 300 : 1000);
  const concurrency = intOption(args, "concurrency", DEFAULT_CONCURRENCY);
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
    const { deps, actions, flush } = jobsApiDeps(rt, catalog, {
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
    const poster = jsonPoster(url, concurrency);
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
      const status = await poster.post(
        { authorization: `Bearer ${token}`, "idempotency-key": key },
        JSON.stringify(message(key)),
      );
      if (status !== 202) throw new Error(`submit answered ${status}`);
    };
    const groups = stack.processGroups;
    const serviceCpu = () => ({
      localstack: groups.localstack === undefined ? undefined : groupCpuMs(groups.localstack),
      mongo: groups.mongo === undefined ? undefined : groupCpuMs(groups.mongo),
    });
    const perRequest = (a: number | undefined, b: number | undefined, n: number) =>
      a === undefined || b === undefined ? undefined : (b - a) / n;
    const run = async (one: () => Promise<void>, n: number): Promise<Round> => {
      const latencies: number[] = [];
      let next = 0;
      const services0 = serviceCpu();
      const cpu0 = process.cpuUsage();
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
      const elapsed = performance.now() - start;
      const own = process.cpuUsage(cpu0);
      const services1 = serviceCpu();
      const cpu: CpuPerRequest = { bench: (own.user + own.system) / 1000 / n };
      const ls = perRequest(services0.localstack, services1.localstack, n);
      const mg = perRequest(services0.mongo, services1.mongo, n);
      if (ls !== undefined) cpu.localstack = ls;
      if (mg !== undefined) cpu.mongo = mg;
      return { rps: n / (elapsed / 1000), latencies, cpu };
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
    poster.close();
    await app.close();
    await flush();
    const pct = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
    };
    const meanOf = (xs: (number | undefined)[]) =>
      xs.some((x) => x === undefined)
        ? undefined
        : xs.reduce<number>((a, x) => a + (x as number), 0) / xs.length;
    const summary = (rs: Round[]) => {
      const all = rs.flatMap((r) => r.latencies);
      const cpu: CpuPerRequest = { bench: meanOf(rs.map((r) => r.cpu.bench)) as number };
      const ls = meanOf(rs.map((r) => r.cpu.localstack));
      const mg = meanOf(rs.map((r) => r.cpu.mongo));
      if (ls !== undefined) cpu.localstack = ls;
      if (mg !== undefined) cpu.mongo = mg;
      return { rps: median(rs.map((r) => r.rps)), p50: pct(all, 50), p99: pct(all, 99), cpu };
    };
    const api = summary(sides.api);
    const sqs = summary(sides.sqs);
    const ratio = api.rps / sqs.rps;
    console.log(
      `requests per round ${requests}, concurrency ${concurrency} closed-loop clients per side` +
        `${concurrency === DEFAULT_CONCURRENCY ? " (default: the smallest at the CPU plateau)" : ""}, rounds ${rounds} per side`,
    );
    console.log(
      `side  submit/s  p50 ms  p99 ms   cpu ms/request: bench  localstack  mongo  total` +
        `  (bench = this process: client + the API server on the api side)`,
    );
    const ms = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(2));
    for (const [name, s] of [
      ["api", api],
      ["sqs", sqs],
    ] as const) {
      const c = s.cpu;
      const total = c.bench + (c.localstack ?? 0) + (c.mongo ?? 0);
      console.log(
        `${name.padEnd(4)}  ${s.rps.toFixed(0).padStart(8)}  ${s.p50.toFixed(1).padStart(6)}  ${s.p99.toFixed(1).padStart(6)}` +
          `                   ${ms(c.bench).padStart(5)}  ${ms(c.localstack).padStart(10)}  ${ms(c.mongo).padStart(5)}  ${ms(total).padStart(5)}`,
      );
    }
    if (groups.localstack === undefined || groups.mongo === undefined)
      console.log("(stack services' CPU not measured: they are not this clone's host processes)");
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
