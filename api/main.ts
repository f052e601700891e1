/**
 * The API process: `node --import tsx api/main.ts` (built: `node dist/api/main.js`). Serves the jobs
 * API over HTTP until SIGTERM / SIGINT (graceful: stops accepting, lets requests in flight finish,
 * closes clients, exit 0; a second signal exits 1). MongoDB and SQS are retried at start-up like the
 * other services (`SLUICE_DEPENDENCY_EXIT_AFTER_MS`); the issuer's keys are fetched in the background
 * until they answer (`/readyz` says so meanwhile).
 */
import { ConfigError } from "../shared/config/config-error.ts";
import { exitOnConfigError, loadConfigOrExit } from "../shared/config/exit.ts";
import { workQueueName } from "../shared/aws/queue-names.ts";
import { createLogger } from "../shared/log/logger.ts";
import { entryArgsOrExit, type EntrySpec } from "../shared/runtime/entry-args.ts";
import { exitOnSignals, isEntryPoint, stopAll } from "../shared/runtime/lifecycle.ts";
import { createRuntime, STATEMACHINES_DIR } from "../shared/runtime/runtime.ts";
import { startTracing } from "../shared/tracing/start-tracing.ts";
import { createTokenVerifier } from "./auth/token-verifier.ts";
import { apiRoutes } from "./routes/index.ts";
import { FleetStepCatalog } from "../scheduler/workflows/fleet-step-catalog.ts";
import { FleetCapacity } from "../scheduler/store/capacity.ts";
import { BUILT_IN_STEP_NAMES } from "../shared/workflows/step-manifest.ts";
import { buildApiServer } from "./server.ts";
import { serveConsole } from "./console-static.ts";
import { startProcessMetrics } from "../shared/metrics/process-metrics.ts";
import { createTenantDirectory } from "./tenants/tenant-directory.ts";
import { tenantsCollection } from "../shared/fleet/tenants-collection.ts";
import { ApiReplicas } from "../shared/fleet/api-replicas.ts";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";

export const API_ENTRY: EntrySpec = {
  command: "sluice-api (node dist/api/main.js)",
  summary:
    "The tenants' HTTP API: bearer JWTs verified against the issuer's JWKS, per-tenant rate at the edge, /openapi.json.\nRuns until SIGTERM or SIGINT (graceful; a second signal exits 1).",
  flags: [],
};

export async function main(argv: readonly string[] = []): Promise<void> {
  entryArgsOrExit(API_ENTRY, argv);
  const config = loadConfigOrExit();
  const missing = [
    ...(config.api.auth.issuer === undefined
      ? ["SLUICE_API_JWT_ISSUER: expected an http(s) URL, got nothing (required by the API)"]
      : []),
    ...(config.api.auth.audiences.length === 0
      ? [
          "SLUICE_API_JWT_AUDIENCE: expected a comma-separated list of audiences or client ids, got nothing (required by the API)",
        ]
      : []),
  ];
  if (missing.length > 0) exitOnConfigError(new ConfigError(missing));
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty, service: "api" });
  const served = await startProcessMetrics(config, "api", log);
  const tracing = startTracing(config, "sluice-api", log);
  const rt = await createRuntime(config, log, {
    ...(served !== undefined ? { metrics: served.metrics } : {}),
    tracing,
  });
  // The workflows new jobs may run: the scheduler's own catalog (the build's folder and
  // SLUICE_WORKFLOWS_DIR; steps built in and those live workers publish), so both ways in agree.
  const fleet = new FleetCapacity(rt.fleetDb);
  let steps: FleetStepCatalog;
  try {
    steps = await FleetStepCatalog.load({
      dirs: [
        STATEMACHINES_DIR,
        ...(config.extensions.workflowsDir !== undefined ? [config.extensions.workflowsDir] : []),
      ],
      builtInSteps: BUILT_IN_STEP_NAMES,
      fleetStepNames: () => fleet.stepNames(Date.now()),
      now: Date.now,
      log,
    });
  } catch (err) {
    await rt.close().catch(() => undefined);
    if (err instanceof ConfigError) exitOnConfigError(err);
    throw err;
  }
  const verifier = createTokenVerifier(config.api.auth);
  const tenants = createTenantDirectory(tenantsCollection(rt.fleetDb), {
    ttlMs: config.api.tenantCacheMs,
    now: Date.now,
    log,
  });
  const routes = apiRoutes(rt, { current: () => steps.catalog, refresh: () => steps.refresh() });
  // Each replica enforces its share of every edge rate: the rate over the live API processes.
  const replicas = new ApiReplicas(
    rt.fleetDb,
    `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    {},
    (err) => log.warn({ err }, "API replica heartbeat failed; keeping the last replica count"),
  );
  await replicas.start();
  const app = buildApiServer({
    config: config.api,
    log,
    verifier,
    tenants,
    replicas: () => replicas.count(),
    ...(served !== undefined ? { metrics: served.metrics } : {}),
    routes: routes.modules,
    readiness: [
      {
        name: "mongo",
        check: async () => {
          await rt.mongo.ping();
        },
      },
      {
        name: "sqs",
        check: async () => {
          await rt.sqs.getQueueUrl(workQueueName(config.queues.prefix));
        },
      },
    ],
  });
  let keysTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  serveConsole(app);
  const shutdown = () =>
    (stopping ??= stopAll([
      async () => clearTimeout(keysTimer),
      () => app.close(),
      () => routes.flush(),
      () => replicas.stop(),
      () => rt.close(),
      async () => served?.close(),
      // Last: the spans of everything above are sent.
      () => tracing.shutdown(),
    ]));
  exitOnSignals({ log, shutdown });
  // The issuer's keys: fetched now and retried until they answer (tokens are refused with 503 meanwhile).
  const loadKeys = (attempt: number) => {
    verifier.loadKeys().then(
      () => log.info({ jwksUrl: config.api.auth.jwksUrl }, "issuer keys fetched"),
      (err: unknown) => {
        const wait = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        log.warn(
          { err, jwksUrl: config.api.auth.jwksUrl, retryInMs: wait },
          "issuer keys not fetched; retrying",
        );
        keysTimer = setTimeout(() => loadKeys(attempt + 1), wait);
        keysTimer.unref();
      },
    );
  };
  loadKeys(0);
  const address = await app.listen({ host: config.api.host, port: config.api.port });
  log.info({ address, issuer: config.api.auth.issuer }, "api listening");
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(
      `api failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
