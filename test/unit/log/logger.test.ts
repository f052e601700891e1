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
