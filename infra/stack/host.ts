import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { LOCALSTACK_SERVICES, localEndpoints, mongoBackend, portChoice } from "./config.ts";
import type { Env, MongoBackendChoice, Paths, ServiceName } from "./config.ts";
import { localstackHealth, mongoHealth } from "./health.ts";
import type { Health } from "./health.ts";
import { ensureLocalStack, ensureMongo, localstackPython, mongoClasspath } from "./install.ts";
import {
  groupMembers,
  pidAlive,
  processStartTime,
  readPidRecord,
  recordAlive,
  removePidRecord,
  writePidRecord,
} from "./pidfile.ts";
import type { PidRecord } from "./pidfile.ts";
import { freePort, portFree, sleep, spawnDetached, StackError, stopGroup } from "./proc.ts";
import type { Progress } from "./proc.ts";

/**
 * Host mode: LocalStack in the cached venv and mongo-java-server on the JVM, each a detached
 * process group listening on 127.0.0.1, recorded in <state>/run/<service>.json.
 */

const START_TIMEOUT_MS: Record<ServiceName, number> = { localstack: 120_000, mongo: 60_000 };
const LABEL: Record<ServiceName, string> = { localstack: "LocalStack", mongo: "MongoDB-wire server" };

export function serviceUrl(service: ServiceName, port: number): string {
  const e = localEndpoints({ localstack: port, mongo: port });
  return service === "localstack" ? e.aws : e.mongo;
}

export function checkHealth(service: ServiceName, port: number): Promise<Health> {
  const url = serviceUrl(service, port);
  return service === "localstack" ? localstackHealth(url) : mongoHealth(url);
}

/** A recorded service that is alive; a record of a dead process is removed. */
export function liveRecord(paths: Paths, service: ServiceName): PidRecord | undefined {
  const rec = readPidRecord(paths.run, service);
  if (!rec) return undefined;
  if (recordAlive(rec)) return rec;
  removePidRecord(paths.run, service);
  return undefined;
}

async function pickPort(service: ServiceName, env: Env, progress: Progress): Promise<number> {
  const choice = portChoice(service, env);
  if (await portFree(choice.port)) return choice.port;
  const varName = service === "localstack" ? "SLUICE_LOCALSTACK_PORT" : "SLUICE_MONGO_PORT";
  if (choice.explicit) {
    throw new StackError(
      `start ${service}`,
      undefined,
      `127.0.0.1:${choice.port} (${varName}) is already in use by a process this clone did not start; ` +
        `choose another port, or point ${service === "localstack" ? "AWS_ENDPOINT_URL" : "MONGO_URL"} at that server`,
    );
  }
  const port = await freePort();
  progress.line(
    `${service}: default port ${choice.port} is in use by another process; using ${port} instead`,
  );
  return port;
}

/** The command line of the MongoDB-wire server (also used by its crash test to launch its own). */
export function mongoServerCommand(paths: Paths, port: number, backend: MongoBackendChoice): string[] {
  const args = ["java", "-Xss1m", "-cp", mongoClasspath(paths), "SluiceMongoServer", "--host", "127.0.0.1"];
  args.push("--port", String(port), "--backend", backend.kind);
  if (backend.kind === "h2") args.push("--file", backend.file);
  return args;
}

function commandFor(service: ServiceName, port: number, paths: Paths, env: Env): string[] {
  if (service === "localstack") return [localstackPython(paths), "-m", "localstack.runtime.main"];
  return mongoServerCommand(paths, port, mongoBackend(env, paths));
}

function childEnv(service: ServiceName, port: number, paths: Paths): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // The stack's own processes must not see the endpoints or credentials meant for clients.
    if (!k.startsWith("AWS_") && k !== "MONGO_URL" && !k.startsWith("LOCALSTACK_")) base[k] = v;
  }
  if (service === "mongo") return base;
  return {
    ...base,
    SERVICES: LOCALSTACK_SERVICES.join(","),
    GATEWAY_LISTEN: `127.0.0.1:${port}`,
    LOCALSTACK_HOST: `127.0.0.1:${port}`,
    SQS_ENDPOINT_STRATEGY: "path",
    DNS_ADDRESS: "0",
    SKIP_SSL_CERT_DOWNLOAD: "1",
    S3_SKIP_SIGNATURE_VALIDATION: "0",
    DISABLE_EVENTS: "1",
    EAGER_SERVICE_LOADING: "1",
    FILESYSTEM_ROOT: paths.localstackFs,
    AWS_DEFAULT_REGION: "us-east-1",
  };
}

async function start(
  service: ServiceName,
  port: number,
  paths: Paths,
  env: Env,
  progress: Progress,
  cancelled: () => boolean,
): Promise<PidRecord> {
  const log = join(paths.logs, `${service}.log`);
  const command = commandFor(service, port, paths, env);
  mkdirSync(paths.localstackFs, { recursive: true });
  mkdirSync(paths.mongoData, { recursive: true });
  progress.line(`starting ${LABEL[service]} on 127.0.0.1:${port} (log: ${log})`);
  const proc = spawnDetached(command, { log, env: childEnv(service, port, paths), cwd: paths.state });
  const pid = proc.child.pid;
  if (pid === undefined) throw new StackError(`start ${service}`, log, `could not spawn ${command[0]}`);
  const startTime = processStartTime(pid);
  const record: PidRecord = {
    service,
    pid,
    pgid: pid,
    port,
    ...(startTime !== undefined ? { startTime } : {}),
    startedAt: new Date().toISOString(),
    log,
    command,
  };
  writePidRecord(paths.run, record);

  const deadline = performance.now() + START_TIMEOUT_MS[service];
  let last: Health = { ok: false, detail: "not checked yet" };
  for (;;) {
    const exit = proc.exited();
    if (exit) {
      removePidRecord(paths.run, service);
      await stopGroup(pid, 2_000); // any children it left behind
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
      throw new StackError(`start ${service}`, log, `${LABEL[service]} died during startup (${how})`);
    }
    if (cancelled()) {
      await stopGroup(pid, 5_000);
      removePidRecord(paths.run, service);
      throw new Error(`start ${service}: cancelled because another service failed`);
    }
    last = await checkHealth(service, port);
    if (last.ok) break;
    if (last.fatal || performance.now() > deadline) {
      await stopGroup(pid, 5_000);
      removePidRecord(paths.run, service);
      throw new StackError(
        `start ${service}`,
        log,
        last.fatal
          ? `it answers, but the check failed: ${last.detail}`
          : `not healthy after ${START_TIMEOUT_MS[service] / 1000} s (last check: ${last.detail})`,
      );
    }
    await sleep(300);
  }
  progress.line(`${LABEL[service]} healthy on 127.0.0.1:${port} (pid ${pid}; ${last.detail})`);
  return record;
}

export interface HostUpResult {
  ports: Partial<Record<ServiceName, number>>;
  started: ServiceName[];
}

/** Brings up the given services; those already running and healthy are left as they are. */
export async function hostUp(
  paths: Paths,
  env: Env,
  services: ServiceName[],
  progress: Progress,
): Promise<HostUpResult> {
  const result: HostUpResult = { ports: {}, started: [] };
  const toStart: ServiceName[] = [];
  for (const service of services) {
    const rec = liveRecord(paths, service);
    if (rec) {
      const h = await checkHealth(service, rec.port);
      if (h.ok) {
        progress.line(`${LABEL[service]} already running (pid ${rec.pid}, port ${rec.port})`);
        result.ports[service] = rec.port;
        continue;
      }
      progress.line(`${LABEL[service]} (pid ${rec.pid}) runs but is unhealthy (${h.detail}); restarting it`);
      await stopService(paths, service);
    }
    toStart.push(service);
  }
  if (toStart.length === 0) return result;

  // Ports first (a busy explicit port fails before anything is installed or started), installs one
  // after the other (their logs stay readable), then the services start in parallel.
  const ports = new Map<ServiceName, number>();
  for (const s of toStart) ports.set(s, await pickPort(s, env, progress));
  if (toStart.includes("localstack")) await ensureLocalStack(paths, progress);
  if (toStart.includes("mongo")) await ensureMongo(paths, progress);
  let failed = false;
  const outcomes = await Promise.allSettled(
    toStart.map((s) =>
      start(s, ports.get(s) as number, paths, env, progress, () => failed).catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const failures: unknown[] = [];
  for (const o of outcomes) {
    if (o.status === "fulfilled") {
      result.ports[o.value.service] = o.value.port;
      result.started.push(o.value.service);
    } else {
      if (!(o.reason instanceof Error && /cancelled because/.test(o.reason.message))) failures.push(o.reason);
    }
  }
  if (failures.length > 0) {
    // Leave nothing half-started behind.
    for (const s of result.started) await stopService(paths, s);
    throw failures[0];
  }
  return result;
}

export interface StopOutcome {
  service: ServiceName;
  pid?: number;
  result: "stopped" | "killed" | "not running" | "survivors";
  survivors?: number[];
}

export async function stopService(paths: Paths, service: ServiceName): Promise<StopOutcome> {
  const rec = readPidRecord(paths.run, service);
  if (!rec) return { service, result: "not running" };
  if (!recordAlive(rec)) {
    // The leader is gone, but members of its group may linger. If a process now holds the leader's
    // pid, the pid was reused and the group is not ours to touch.
    const left = pidAlive(rec.pgid) ? [] : groupMembers(rec.pgid);
    if (left.length > 0) await stopGroup(rec.pgid, 5_000);
    removePidRecord(paths.run, service);
    return { service, pid: rec.pid, result: "not running" };
  }
  const r = await stopGroup(rec.pgid);
  removePidRecord(paths.run, service);
  if (r.survivors.length > 0) return { service, pid: rec.pid, result: "survivors", survivors: r.survivors };
  return { service, pid: rec.pid, result: r.killed ? "killed" : "stopped" };
}

export interface ServiceStatus {
  service: ServiceName;
  running: boolean;
  pid?: number;
  port?: number;
  health?: Health;
  log: string;
}

export async function hostStatus(paths: Paths, service: ServiceName): Promise<ServiceStatus> {
  const log = join(paths.logs, `${service}.log`);
  const rec = liveRecord(paths, service);
  if (!rec) return { service, running: false, log };
  return {
    service,
    running: true,
    pid: rec.pid,
    port: rec.port,
    health: await checkHealth(service, rec.port),
    log,
  };
}
