import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

import { portChoice } from "./config.ts";
import type { Env, Paths, ServiceName } from "./config.ts";
import { probe, runLogged, StackError } from "./proc.ts";
import type { Progress } from "./proc.ts";

/**
 * Docker mode: `docker compose -f docker-compose.localstack.yml up --wait`, used only when a Docker
 * engine answers `docker info` within a few seconds. Records what it started in run/docker.json.
 */

const COMPOSE_SERVICE: Record<ServiceName, string> = { localstack: "localstack", mongo: "mongo" };

export interface DockerRecord {
  project: string;
  compose: string[];
  started: ServiceName[];
  ports: Partial<Record<ServiceName, number>>;
}

/** The compose command to use if a Docker engine answers, else undefined (fast: ~3 s at most). */
export async function detectDocker(): Promise<string[] | undefined> {
  const info = await probe(["docker", "info", "--format", "{{.ServerVersion}}"], 3_000);
  if (info.code !== 0 || !info.stdout.trim()) return undefined;
  if ((await probe(["docker", "compose", "version"], 5_000)).code === 0) return ["docker", "compose"];
  if ((await probe(["docker-compose", "version"], 5_000)).code === 0) return ["docker-compose"];
  return undefined;
}

export function composeProject(root: string): string {
  const hash = createHash("sha256").update(root).digest("hex").slice(0, 8);
  const name = basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
  return `sluice-${name || "clone"}-${hash}`;
}

function recordFile(paths: Paths): string {
  return join(paths.run, "docker.json");
}

export function readDockerRecord(paths: Paths): DockerRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(paths), "utf8")) as DockerRecord;
  } catch {
    return undefined;
  }
}

function composeArgs(rec: { compose: string[]; project: string }, paths: Paths): string[] {
  return [...rec.compose, "-f", join(paths.root, "docker-compose.localstack.yml"), "-p", rec.project];
}

function composeEnv(ports: Partial<Record<ServiceName, number>>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(ports.localstack ? { SLUICE_LOCALSTACK_PORT: String(ports.localstack) } : {}),
    ...(ports.mongo ? { SLUICE_MONGO_PORT: String(ports.mongo) } : {}),
  };
}

export async function dockerUp(
  compose: string[],
  paths: Paths,
  env: Env,
  services: ServiceName[],
  progress: Progress,
): Promise<{ record: DockerRecord; startedNow: ServiceName[] }> {
  const project = composeProject(paths.root);
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const s of services) ports[s] = portChoice(s, env).port;
  const base = composeArgs({ compose, project }, paths);
  const names = services.map((s) => COMPOSE_SERVICE[s]);

  const ps = await probe([...base, "ps", "--status", "running", "--services"], 15_000);
  const running = new Set(ps.code === 0 ? ps.stdout.split("\n").map((l) => l.trim()) : []);
  const started = services.filter((s) => !running.has(COMPOSE_SERVICE[s]));

  const log = join(paths.logs, "docker-compose.log");
  progress.line(`Docker engine found: ${base.join(" ")} up --wait ${names.join(" ")} (log: ${log})`);
  const r = await runLogged([...base, "up", "--detach", "--wait", ...names], {
    log,
    env: composeEnv(ports),
    cwd: paths.root,
    timeoutMs: 15 * 60_000,
  });
  if (r.code !== 0)
    throw new StackError("docker compose up --wait", log, r.timedOut ? "timed out" : `exit code ${r.code}`);
  const prev = readDockerRecord(paths);
  const rec: DockerRecord = {
    project,
    compose,
    started: [...new Set([...(prev?.started ?? []), ...started])],
    ports: { ...(prev?.ports ?? {}), ...ports },
  };
  mkdirSync(paths.run, { recursive: true });
  writeFileSync(recordFile(paths), JSON.stringify(rec, null, 2) + "\n");
  progress.line(`containers healthy: ${names.join(", ")}`);
  return { record: rec, startedNow: started };
}

/** Stops the given services (default: all this clone started) and removes their containers. */
export async function dockerDown(paths: Paths, progress: Progress, only?: ServiceName[]): Promise<void> {
  const rec = readDockerRecord(paths);
  if (!rec) return;
  const which = only ?? rec.started;
  if (which.length === 0) return;
  const log = join(paths.logs, "docker-compose.log");
  const base = composeArgs(rec, paths);
  const all = which.length === rec.started.length;
  const cmd = all
    ? [...base, "down", "--volumes", "--remove-orphans"]
    : [...base, "rm", "--stop", "--force", "--volumes", ...which];
  progress.line(`docker: ${cmd.slice(rec.compose.length).join(" ")}`);
  const r = await runLogged(cmd, { log, env: composeEnv(rec.ports), cwd: paths.root, timeoutMs: 120_000 });
  if (r.code !== 0) throw new StackError("docker compose down", log, `exit code ${r.code}`);
  const left = rec.started.filter((s) => !which.includes(s));
  if (left.length === 0) rmSync(recordFile(paths), { force: true });
  else writeFileSync(recordFile(paths), JSON.stringify({ ...rec, started: left }, null, 2) + "\n");
}

export async function dockerPs(paths: Paths): Promise<string | undefined> {
  const rec = readDockerRecord(paths);
  if (!rec) return undefined;
  const r = await probe([...composeArgs(rec, paths), "ps"], 15_000);
  return r.stdout;
}
