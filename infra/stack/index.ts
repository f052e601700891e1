import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

import {
  exportLines,
  localEndpoints,
  parseStackArgs,
  redactUrl,
  resolvePaths,
  SERVICE_NAMES,
  servicesToStart,
  stackEnv,
  stackMode,
  upReport,
  USAGE,
  withoutOwnEndpoints,
} from "./config.ts";
import type { Env, Paths, ServiceName, StackEnv } from "./config.ts";
import { detectDocker, dockerDown, dockerPs, dockerUp, readDockerRecord } from "./docker.ts";
import { httpAnswers, localstackHealth, mongoHealth } from "./health.ts";
import { hostStatus, hostUp, liveRecord, serviceUrl, stopService } from "./host.ts";
import { groupMembers, readPidRecord } from "./pidfile.ts";
import { Progress, StackError, tailFile } from "./proc.ts";

export type { StackEnv } from "./config.ts";
export { StackError } from "./proc.ts";

/**
 * The local stack: LocalStack (SQS, S3, Step Functions) and a MongoDB-wire server.
 *   1. AWS_ENDPOINT_URL and MONGO_URL set: use them, start nothing (a service given alone is used
 *      and only the other one is started).
 *   2. A Docker engine answers: docker compose -f docker-compose.localstack.yml up --wait.
 *   3. Otherwise host mode (see host.ts), installing on first use into ~/.cache/sluice.
 */

const ROOT = resolve(import.meta.dirname, "..", "..");

export interface EnsureStackOptions {
  /** Environment to resolve from (default process.env). */
  env?: Env;
  /** No progress lines on stderr. */
  quiet?: boolean;
  /** The clone (default: the one this file lives in). */
  root?: string;
}

export interface EnsuredStack {
  env: StackEnv;
  /** Both services are this clone's own stack (then `up` exports `SLUICE_STACK_OF` with them). */
  own: boolean;
  /** True if this call started at least one service; stop() then stops exactly those. */
  startedByUs: boolean;
  /**
   * The process group of each service this clone runs on the host (its pid record), for measuring
   * their CPU (`npm run bench -- api`); absent for Docker and for endpoints given in the environment.
   */
  processGroups: Partial<Record<ServiceName, number>>;
  stop(): Promise<void>;
}

async function checkProvided(env: Env, provided: ServiceName[], progress: Progress): Promise<void> {
  for (const service of provided) {
    const url = service === "localstack" ? env.AWS_ENDPOINT_URL : env.MONGO_URL;
    const varName = service === "localstack" ? "AWS_ENDPOINT_URL" : "MONGO_URL";
    const h =
      service === "localstack" ? await httpAnswers(url as string) : await mongoHealth(url as string, 5_000);
    const shown = redactUrl(url as string);
    if (!h.ok) {
      throw new StackError(
        `check ${varName}`,
        undefined,
        `${shown} does not answer (${redactUrl(h.detail)})`,
      );
    }
    progress.line(
      `using ${varName}=${shown} from the environment (answers: ${redactUrl(h.detail)}); not starting ${service}`,
    );
  }
}

/**
 * The environment with this clone's own endpoints taken out (see `withoutOwnEndpoints`): after
 * `eval "$(npm run -s stack env)"` the endpoints in the shell are this clone's stack, which `up`
 * must be able to start again and `status` must show as running or stopped, not as external.
 */
function effectiveEnv(paths: Paths, env: Env): Env {
  const docker = readDockerRecord(paths);
  const urls: Partial<Record<ServiceName, string[]>> = {};
  for (const s of SERVICE_NAMES) {
    const ports = [liveRecord(paths, s)?.port, docker?.ports[s]].filter((p): p is number => !!p);
    urls[s] = ports.map((p) => serviceUrl(s, p));
  }
  return withoutOwnEndpoints(env, paths.state, urls);
}

export async function ensureStack(opts: EnsureStackOptions = {}): Promise<EnsuredStack> {
  const given = opts.env ?? process.env;
  const progress = new Progress(opts.quiet);
  const paths = resolvePaths(opts.root ?? ROOT, given);
  const env = effectiveEnv(paths, given);
  const { provided, start } = servicesToStart(env);
  await checkProvided(env, provided, progress);
  const own = provided.length === 0;
  if (start.length === 0) {
    return {
      env: stackEnv(env, {}),
      own,
      startedByUs: false,
      processGroups: {},
      stop: async () => undefined,
    };
  }

  const mode = stackMode(env);
  const compose = mode === "host" ? undefined : await detectDocker();
  if (mode === "docker" && !compose) {
    throw new StackError(
      "detect Docker",
      undefined,
      "SLUICE_STACK=docker but no Docker engine with compose answers",
    );
  }
  if (compose) {
    const { record, startedNow } = await dockerUp(compose, paths, env, start, progress);
    const e = localEndpoints({ localstack: record.ports.localstack ?? 0, mongo: record.ports.mongo ?? 0 });
    return {
      env: stackEnv(env, e),
      own,
      startedByUs: startedNow.length > 0,
      processGroups: {},
      stop: () => dockerDown(paths, progress, startedNow),
    };
  }
  if (mode === "auto") progress.line("no Docker engine answers: host mode");
  const up = await hostUp(paths, env, start, progress);
  const e = localEndpoints({ localstack: up.ports.localstack ?? 0, mongo: up.ports.mongo ?? 0 });
  progress.line(`stack ready in ${progress.elapsed().toFixed(1)} s`);
  return {
    env: stackEnv(env, e),
    own,
    startedByUs: up.started.length > 0,
    processGroups: Object.fromEntries(
      start.flatMap((s) => {
        const pgid = liveRecord(paths, s)?.pgid;
        return pgid === undefined ? [] : [[s, pgid]];
      }),
    ),
    stop: async () => {
      for (const s of up.started) await stopService(paths, s);
    },
  };
}

/** The environment of what is running now, or the names of the services that are not. */
function currentEnv(paths: Paths, given: Env): { env?: StackEnv; own: boolean; missing: ServiceName[] } {
  const env = effectiveEnv(paths, given);
  const { provided, start } = servicesToStart(env);
  const own = provided.length === 0;
  const docker = readDockerRecord(paths);
  const ports: Partial<Record<ServiceName, number>> = {};
  const missing: ServiceName[] = [];
  for (const s of start) {
    const port = liveRecord(paths, s)?.port ?? (docker?.started.includes(s) ? docker.ports[s] : undefined);
    if (port) ports[s] = port;
    else missing.push(s);
  }
  if (missing.length > 0) return { own, missing };
  return {
    env: stackEnv(env, localEndpoints({ localstack: ports.localstack ?? 0, mongo: ports.mongo ?? 0 })),
    own,
    missing,
  };
}

async function down(paths: Paths, progress: Progress): Promise<number> {
  let code = 0;
  const pgids: number[] = [];
  for (const s of SERVICE_NAMES) {
    const rec = readPidRecord(paths.run, s);
    if (rec) pgids.push(rec.pgid);
    const out = await stopService(paths, s);
    const how =
      out.result === "survivors" ? `FAILED: still running ${out.survivors?.join(", ")}` : out.result;
    progress.line(`${s}: ${how}${out.pid ? ` (pid ${out.pid})` : ""}`);
    if (out.result === "survivors") code = 1;
  }
  if (readDockerRecord(paths)) await dockerDown(paths, progress);
  const left = pgids.flatMap((g) => groupMembers(g));
  if (left.length > 0) {
    progress.line(`FAILED: processes of the stack still running: ${left.join(", ")}`);
    code = 1;
  } else {
    progress.line("down: no process of the stack is running");
  }
  return code;
}

async function status(paths: Paths, given: Env): Promise<number> {
  const env = effectiveEnv(paths, given);
  const { provided, start } = servicesToStart(env);
  let healthy = true;
  for (const s of provided) {
    const url = s === "localstack" ? env.AWS_ENDPOINT_URL : env.MONGO_URL;
    const h = s === "localstack" ? await localstackHealth(url as string) : await mongoHealth(url as string);
    const shown = redactUrl(url as string);
    console.log(
      `${s.padEnd(11)} external  ${shown}  ${h.ok ? "healthy" : "unhealthy"} (${redactUrl(h.detail)})`,
    );
  }
  const docker = readDockerRecord(paths);
  if (docker) console.log((await dockerPs(paths)) ?? "docker: no status");
  for (const s of start) {
    const st = await hostStatus(paths, s);
    if (!st.running) {
      if (!docker?.started.includes(s)) {
        console.log(`${s.padEnd(11)} stopped   (log: ${st.log})`);
        healthy = false;
      }
      continue;
    }
    const h = st.health;
    console.log(
      `${s.padEnd(11)} running   pid ${st.pid}  port ${st.port}  ${h?.ok ? "healthy" : "UNHEALTHY"} (${h?.detail})`,
    );
    if (!h?.ok) healthy = false;
  }
  return healthy ? 0 : 3;
}

function logs(
  paths: Paths,
  service: ServiceName | undefined,
  follow: boolean,
  lines: number,
): Promise<number> {
  const files = (service ? [service] : SERVICE_NAMES)
    .map((s) => join(paths.logs, `${s}.log`))
    .filter(existsSync);
  if (files.length === 0) {
    console.error(`no logs yet under ${paths.logs}`);
    return Promise.resolve(1);
  }
  if (!follow) {
    for (const f of files) console.log(`==> ${f} <==\n${tailFile(f, lines)}\n`);
    return Promise.resolve(0);
  }
  return new Promise((done) => {
    const child = spawn("tail", ["-n", String(lines), "-F", ...files], { stdio: "inherit" });
    child.on("exit", (code) => done(code ?? 0));
    child.on("error", () => done(127));
  });
}

export async function stackCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStackArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const env = process.env;
  const paths = resolvePaths(ROOT, env);
  const progress = new Progress();
  try {
    switch (parsed.cmd) {
      case "help":
        console.log(USAGE);
        return 0;
      case "up": {
        const stack = await ensureStack({ env });
        const report = upReport(stack.env, stack.own ? paths.state : undefined);
        console.log(report.stdout);
        if (report.note) progress.line(report.note);
        return 0;
      }
      case "down":
        return await down(paths, progress);
      case "status":
        return await status(paths, env);
      case "logs":
        return await logs(paths, parsed.service, parsed.follow, parsed.lines);
      case "env": {
        const cur = currentEnv(paths, env);
        if (!cur.env) {
          console.error(`stack is not up (${cur.missing.join(", ")} not running): run npm run stack up`);
          return 1;
        }
        // The real values: this is how users get them.
        console.log(exportLines(cur.env, cur.own ? paths.state : undefined));
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof StackError) {
      console.error(`[stack] ${err.message}`);
      return 1;
    }
    throw err;
  }
}
