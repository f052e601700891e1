import { homedir } from "node:os";
import { join, resolve } from "node:path";

import { REDACTED, scrubUrlCredentials } from "../../shared/log/redact.ts";

/**
 * Pure configuration of the local stack: versions, paths, ports, the environment it hands out, and
 * the command line. Nothing here touches the file system or the network.
 */

export const LOCALSTACK_VERSION = "4.13.1";
/** Dependency resolution is frozen at about 4.13.1's release (its dependencies are unpinned). */
export const LOCALSTACK_EXCLUDE_NEWER = "2026-02-06";
export const MONGO_SERVER_VERSION = "1.47.0";
/** The uv that installs LocalStack into its venv (pinned like everything else it fetches). */
export const UV_VERSION = "0.13.9";
export const LOCALSTACK_SERVICES = ["sqs", "s3", "stepfunctions", "kms"] as const;

export type ServiceName = "localstack" | "mongo";
export const SERVICE_NAMES: readonly ServiceName[] = ["localstack", "mongo"];

export interface StackEnv {
  AWS_ENDPOINT_URL: string;
  AWS_REGION: string;
  /** The same region for tools that read only this one (the AWS CLI v1, older SDKs). */
  AWS_DEFAULT_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  MONGO_URL: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface Paths {
  /** The clone. */
  root: string;
  /** Runtime state of this clone (git-ignored): logs, pids, data. */
  state: string;
  logs: string;
  run: string;
  localstackFs: string;
  mongoData: string;
  /** Per-user install cache shared by every clone on the machine. */
  cache: string;
  localstackHome: string;
  localstackVenv: string;
  mongoHome: string;
}

export function resolvePaths(root: string, env: Env): Paths {
  const state = resolve(env.SLUICE_STATE_DIR || join(root, ".cache"));
  const cache = resolve(
    env.SLUICE_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "sluice"),
  );
  const localstackHome = join(cache, `localstack-${LOCALSTACK_VERSION}`);
  return {
    root,
    state,
    logs: join(state, "logs"),
    run: join(state, "run"),
    localstackFs: join(state, "localstack", "fs"),
    mongoData: join(state, "mongo"),
    cache,
    localstackHome,
    localstackVenv: join(localstackHome, "venv"),
    mongoHome: join(cache, `mongo-java-server-${MONGO_SERVER_VERSION}`),
  };
}

export interface PortChoice {
  port: number;
  /** Set by the user: never replaced by another port when busy. */
  explicit: boolean;
}

const DEFAULT_PORTS: Record<ServiceName, number> = { localstack: 4566, mongo: 27017 };
const PORT_VARS: Record<ServiceName, string> = {
  localstack: "SLUICE_LOCALSTACK_PORT",
  mongo: "SLUICE_MONGO_PORT",
};

export function portChoice(service: ServiceName, env: Env): PortChoice {
  const name = PORT_VARS[service];
  const raw = env[name];
  if (raw === undefined || raw === "") return { port: DEFAULT_PORTS[service], explicit: false };
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return { port, explicit: true };
}

export type MongoBackendChoice = { kind: "memory" } | { kind: "h2"; file: string };

export function mongoBackend(env: Env, paths: Paths): MongoBackendChoice {
  const raw = (env.SLUICE_MONGO_BACKEND || "memory").toLowerCase();
  if (raw === "memory") return { kind: "memory" };
  if (raw === "h2") return { kind: "h2", file: join(paths.mongoData, "sluice.mv.db") };
  throw new Error(`SLUICE_MONGO_BACKEND=${raw} must be memory or h2`);
}

export type StackMode = "auto" | "host" | "docker";

export function stackMode(env: Env): StackMode {
  const raw = (env.SLUICE_STACK || "auto").toLowerCase();
  if (raw === "auto" || raw === "host" || raw === "docker") return raw;
  throw new Error(`SLUICE_STACK=${raw} must be auto, host or docker`);
}

export function localEndpoints(ports: Record<ServiceName, number>): { aws: string; mongo: string } {
  return {
    aws: `http://127.0.0.1:${ports.localstack}`,
    mongo: `mongodb://127.0.0.1:${ports.mongo}/?directConnection=true`,
  };
}

/** The environment the project uses: what the user gave, else the local stack's endpoints. */
export function stackEnv(env: Env, local: { aws?: string; mongo?: string }): StackEnv {
  const external = env.AWS_ENDPOINT_URL && env.AWS_ENDPOINT_URL !== local.aws;
  const aws = env.AWS_ENDPOINT_URL || local.aws;
  const mongo = env.MONGO_URL || local.mongo;
  if (!aws || !mongo) throw new Error("stackEnv: no endpoint for " + (!aws ? "AWS" : "MongoDB"));
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  return {
    AWS_ENDPOINT_URL: aws,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // LocalStack accepts any credentials; an external endpoint keeps the user's own.
    AWS_ACCESS_KEY_ID: (external && env.AWS_ACCESS_KEY_ID) || "test",
    AWS_SECRET_ACCESS_KEY: (external && env.AWS_SECRET_ACCESS_KEY) || "test",
    MONGO_URL: mongo,
  };
}

/**
 * Exported by `stack env` / `stack up` beside the endpoints: the state directory of the clone whose
 * stack they point at. A shell that ran `eval "$(npm run -s stack env)"` then carries endpoints that
 * are this clone's own stack, not an external server: `up` (re)starts it, `status` reports it as
 * running or stopped, never as "external".
 */
export const STACK_OWNER_VAR = "SLUICE_STACK_OF";

/** A service's endpoint variable. */
export const ENDPOINT_VARS: Record<ServiceName, "AWS_ENDPOINT_URL" | "MONGO_URL"> = {
  localstack: "AWS_ENDPOINT_URL",
  mongo: "MONGO_URL",
};

/**
 * `env` without the endpoints that belong to this clone's own stack: those exported for this clone
 * (`SLUICE_STACK_OF` names its state directory) or equal to the URL of a service this clone has a
 * record of (`ownUrls`). What is left is what the user really points at elsewhere.
 */
export function withoutOwnEndpoints(
  env: Env,
  stateDir: string,
  ownUrls: Partial<Record<ServiceName, readonly string[]>> = {},
): Env {
  const ours = env[STACK_OWNER_VAR] !== undefined && resolve(env[STACK_OWNER_VAR]) === resolve(stateDir);
  const out: Record<string, string | undefined> = { ...env };
  for (const s of SERVICE_NAMES) {
    const url = env[ENDPOINT_VARS[s]];
    if (url && (ours || (ownUrls[s] ?? []).includes(url))) delete out[ENDPOINT_VARS[s]];
  }
  return out;
}

/** This clone's own stack: its state directory and the URLs of the services it has records of. */
export interface OwnStack {
  readonly stateDir: string;
  readonly urls?: Partial<Record<ServiceName, readonly string[]>>;
}

/**
 * Which services the environment already provides, and which the stack must start. With `own`, an
 * endpoint of this clone's own stack (see `withoutOwnEndpoints`) is not "provided": `up` starts it.
 */
export function servicesToStart(
  given: Env,
  own?: OwnStack,
): { provided: ServiceName[]; start: ServiceName[] } {
  const env = own === undefined ? given : withoutOwnEndpoints(given, own.stateDir, own.urls);
  const provided: ServiceName[] = [];
  if (env.AWS_ENDPOINT_URL) provided.push("localstack");
  if (env.MONGO_URL) provided.push("mongo");
  return { provided, start: SERVICE_NAMES.filter((s) => !provided.includes(s)) };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function exportLines(env: StackEnv, owner?: string): string {
  const lines = (Object.keys(env) as (keyof StackEnv)[]).map((k) => `export ${k}=${shellQuote(env[k])}`);
  if (owner !== undefined) lines.push(`export ${STACK_OWNER_VAR}=${shellQuote(owner)}`);
  return lines.join("\n");
}

/** LocalStack's stand-in credentials: not a secret, shown as they are. */
const LOCALSTACK_SECRET = "test";

/**
 * The environment as `up` and `status` show it: the password (and secret options) of `MONGO_URL`
 * and a real `AWS_SECRET_ACCESS_KEY` redacted. Only `stack env` prints the real values, for
 * `eval "$(npm run -s stack env)"`.
 */
export function redactEnv(env: StackEnv): StackEnv {
  return {
    ...env,
    MONGO_URL: scrubUrlCredentials(env.MONGO_URL),
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY === LOCALSTACK_SECRET ? LOCALSTACK_SECRET : REDACTED,
  };
}

/** `url` with any password or secret option redacted, for progress lines and status output. */
export function redactUrl(url: string): string {
  return scrubUrlCredentials(url);
}

/** What `up` prints: the export lines with secrets redacted, and a pointer to `stack env` if any was. */
export function upReport(env: StackEnv, owner?: string): { stdout: string; note?: string } {
  const shown = redactEnv(env);
  const redacted = (Object.keys(env) as (keyof StackEnv)[]).some((k) => shown[k] !== env[k]);
  return redacted
    ? {
        stdout: exportLines(shown, owner),
        note: `credentials redacted above; eval "$(npm run -s stack env)" exports the real values`,
      }
    : { stdout: exportLines(shown, owner) };
}

export type StackCommand =
  | { cmd: "up" }
  | { cmd: "down" }
  | { cmd: "status" }
  | { cmd: "env" }
  | { cmd: "logs"; service?: ServiceName; follow: boolean; lines: number }
  | { cmd: "help" };

export const USAGE = `usage: npm run stack -- <command>
  up                 start LocalStack ${LOCALSTACK_VERSION} (sqs, s3, stepfunctions, kms) and a MongoDB-wire server
  down               stop exactly what up started
  status             each service: running/stopped, pid, port, health
  logs [service] [-f] [-n N]   show (or follow) the logs of localstack | mongo
  env                print export lines with the real credentials: eval "$(npm run -s stack env)"
                     (up and status redact passwords and secret keys)
environment: SLUICE_STACK=auto|host|docker, SLUICE_LOCALSTACK_PORT (4566), SLUICE_MONGO_PORT (27017),
  SLUICE_MONGO_BACKEND=memory|h2, SLUICE_STATE_DIR (<clone>/.cache), SLUICE_CACHE_DIR (~/.cache/sluice);
  AWS_ENDPOINT_URL + MONGO_URL set: use those, start nothing (unless they are this clone's own stack,
  as exported by env with SLUICE_STACK_OF: then up starts it and status shows it).`;

export function parseStackArgs(argv: readonly string[]): StackCommand {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "up":
    case "down":
    case "status":
    case "env":
      if (rest.length > 0) throw new Error(`${cmd} takes no arguments (got ${rest.join(" ")})`);
      return { cmd };
    case "logs": {
      let service: ServiceName | undefined;
      let follow = false;
      let lines = 50;
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i] as string;
        if (a === "-f" || a === "--follow") follow = true;
        else if (a === "-n" || a === "--lines") {
          const n = Number(rest[++i]);
          if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a positive number`);
          lines = n;
        } else if ((SERVICE_NAMES as readonly string[]).includes(a) && !service) service = a as ServiceName;
        else throw new Error(`logs: unknown argument ${a} (services: ${SERVICE_NAMES.join(", ")})`);
      }
      return service ? { cmd, service, follow, lines } : { cmd, follow, lines };
    }
    case undefined:
    case "help":
    case "-h":
    case "--help":
      return { cmd: "help" };
    default:
      throw new Error(`unknown stack command: ${cmd}`);
  }
}
