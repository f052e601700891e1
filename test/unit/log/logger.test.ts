import { describe, expect, it } from "vitest";
import { createLogger, forJob, forTenant } from "../../../shared/log/index.ts";
import { scrubSignedUrls } from "../../../shared/log/redact.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    service: "test",
    destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe("logger", () => {
  it("writes JSON with the service, level and tenant/job bindings", () => {
    const { logger, lines } = capture();
    forJob(logger, "acme", "job-1", { component: "worker" }).info({ step: "Greet" }, "step done");
    forTenant(logger, "globex").debug("quiet");
    expect(lines[0]).toMatchObject({
      level: 30,
      service: "test",
      tenantId: "acme",
      jobId: "job-1",
      component: "worker",
      step: "Greet",
      msg: "step done",
    });
    expect(typeof lines[0]?.time).toBe("string");
    expect(lines[1]).toMatchObject({ tenantId: "globex", msg: "quiet" });
  });

  it("redacts passwords, secret keys and authorization headers at any common depth", () => {
    const { logger, lines } = capture();
    logger.info({
      password: "p0",
      db: { password: "p1" },
      aws: { credentials: { secretAccessKey: "s1", accessKeyId: "AKIA" } },
      req: { headers: { authorization: "Bearer t", host: "h" } },
      headers: { Authorization: "Basic x" },
    });
    const out = JSON.stringify(lines[0]);
    for (const secret of ["p0", "p1", "s1", "Bearer t", "Basic x"]) expect(out).not.toContain(secret);
    expect(out).toContain("AKIA");
    expect(out).toContain('"host":"h"');
  });

  it("scrubs presigned URL query strings from fields, messages and errors", () => {
    const { logger, lines } = capture();
    const url = "http://127.0.0.1:4566/b/tenants/acme/x?X-Amz-Algorithm=AWS4&X-Amz-Signature=deadbeef";
    logger.info({ upload: { url }, urls: [url] }, `uploading to ${url} now`);
    logger.error({ err: new Error(`PUT ${url} failed`) }, "failed");
    const out = lines.map((l) => JSON.stringify(l)).join("\n");
    expect(out).not.toContain("deadbeef");
    expect(out).toContain("http://127.0.0.1:4566/b/tenants/acme/x?[REDACTED]");
    expect(lines[0]?.msg).toBe("uploading to http://127.0.0.1:4566/b/tenants/acme/x?[REDACTED] now");
  });

  it("leaves ordinary URLs alone", () => {
    expect(scrubSignedUrls("see https://example.com/a?page=2")).toBe("see https://example.com/a?page=2");
  });

  it("builds a JSON logger (no pretty transport) when stdout is not a terminal", () => {
    const logger = createLogger({ level: "info", pretty: "never" });
    expect(logger.level).toBe("info");
  });
});

describe("child loggers bind each key once", () => {
  /** The raw JSON lines, to count keys (JSON.parse would keep the last of two). */
  function rawCapture() {
    const raw: string[] = [];
    const logger = createLogger({
      level: "info",
      service: "test",
      destination: { write: (s: string) => void raw.push(s) },
    });
    return { logger, raw };
  }
  const count = (line: string, key: string) => line.split(`"${key}":`).length - 1;

  it("a sub-component's logger carries `component` once, its own", () => {
    const { logger, raw } = rawCapture();
    // As the scheduler hands its logger to QuotaSource, the usage store and the ledger.
    const scheduler = logger.child({ component: "scheduler", schedulerId: "s1" });
    scheduler.child({ component: "quota-source" }).info("polled");
    scheduler
      .child({ component: "usage" })
      .child({ component: "usage-ledger", tenantId: "acme" })
      .info("settled");
    expect(raw).toHaveLength(2);
    for (const line of raw) expect(count(line, "component"), line).toBe(1);
    expect(JSON.parse(raw[0]!)).toMatchObject({
      component: "quota-source",
      schedulerId: "s1",
      service: "test",
    });
    expect(JSON.parse(raw[1]!)).toMatchObject({
      component: "usage-ledger",
      tenantId: "acme",
      schedulerId: "s1",
    });
    expect(count(raw[1]!, "service")).toBe(1);
  });

  it("keeps the parent's level and leaves children with new keys as pino builds them", () => {
    const { logger, raw } = rawCapture();
    const quiet = logger.child({ component: "a" });
    quiet.level = "warn";
    const sub = quiet.child({ component: "b" });
    sub.info("dropped");
    sub.warn("kept");
    quiet.child({ jobId: "j1" }).warn("plain child");
    expect(raw.map((l) => JSON.parse(l).msg)).toEqual(["kept", "plain child"]);
    expect(JSON.parse(raw[1]!)).toMatchObject({ component: "a", jobId: "j1" });
  });
});
