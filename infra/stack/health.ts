import { connect } from "node:net";

import { MongoClient } from "mongodb";

import { LOCALSTACK_SERVICES } from "./config.ts";

export interface Health {
  ok: boolean;
  detail: string;
  /** The server answered but will never do: waiting longer does not help. */
  fatal?: boolean;
}

/** Ready when every service we need reports "running" or "available". Pure, for tests. */
export function localstackReady(body: unknown): Health {
  const services = (body as { services?: Record<string, string> } | null)?.services;
  if (!services || typeof services !== "object")
    return { ok: false, detail: "no services in health response" };
  const states = LOCALSTACK_SERVICES.map((s) => `${s}=${services[s] ?? "missing"}`);
  const ok = LOCALSTACK_SERVICES.every((s) => services[s] === "running" || services[s] === "available");
  return { ok, detail: states.join(" ") };
}

export async function localstackHealth(endpoint: string, timeoutMs = 2_000): Promise<Health> {
  try {
    const res = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { ok: false, detail: `HTTP ${res.status}` };
    return localstackReady(await res.json());
  } catch (err) {
    return { ok: false, detail: errMessage(err) };
  }
}

/** Any HTTP answer at all: for an endpoint the user gave, which need not be LocalStack. */
export async function httpAnswers(endpoint: string, timeoutMs = 3_000): Promise<Health> {
  try {
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, detail: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, detail: errMessage(err) };
  }
}

export function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect({ host, port });
    const finish = (ok: boolean): void => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.once("connect", () => finish(true));
    sock.once("error", () => finish(false));
  });
}

export async function mongoHealth(url: string, timeoutMs = 2_000): Promise<Health> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
  });
  try {
    // The driver's handshake (legacy hello) checks the wire version; mongo-java-server has no
    // `hello` command, so `ping` and `buildInfo` complete the check.
    await client.connect();
    await client.db("admin").command({ ping: 1 });
    const info = await client.db("admin").command({ buildInfo: 1 });
    return { ok: true, detail: `ping ok, version ${String(info.version)}` };
  } catch (err) {
    const detail = errMessage(err);
    const transient =
      /ECONNREFUSED|ECONNRESET|timed out|closed/i.test(detail) && !/wire version/i.test(detail);
    return { ok: false, detail, fatal: !transient };
  } finally {
    await client.close().catch(() => undefined);
  }
}

function errMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error && !err.message.includes(cause.message)
      ? `${err.message}: ${cause.message}`
      : err.message;
  }
  return String(err);
}
