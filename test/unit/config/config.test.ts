import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import {
  ConfigError,
  configDocs,
  configDocsMarkdown,
  loadConfig,
  SETTINGS,
} from "../../../shared/config/index.ts";

const base = { MONGO_URL: "mongodb://127.0.0.1:27017/?directConnection=true" };

describe("loadConfig", () => {
  it("applies defaults and returns a deeply frozen, typed object", () => {
    const c = loadConfig(base);
    expect(c.aws).toMatchObject({
      region: "us-east-1",
      endpoint: undefined,
      credentials: undefined,
      forcePathStyle: false,
    });
    expect(c.mongo).toEqual({ url: base.MONGO_URL, db: "sluice", routeTtlMs: 5000 });
    expect(c.s3.bucket).toBe("sluice-data");
    expect(c.queues).toEqual({ prefix: "sluice", maxReceiveCount: 5 });
    expect(c.worker.concurrency).toBe(8);
    expect(c.log).toEqual({ level: "info", pretty: "auto" });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.worker)).toBe(true);
    expect(() => {
      (c.worker as { concurrency: number }).concurrency = 1;
    }).toThrow(TypeError);
  });

  it("parses every kind of value", () => {
    const c = loadConfig({
      ...base,
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_REGION: "eu-west-2",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      SLUICE_WORKER_CONCURRENCY: " 16 ",
      SLUICE_POLL_WAIT_SECONDS: "0",
      LOG_LEVEL: "DEBUG",
      SLUICE_S3_FORCE_PATH_STYLE: "false",
    });
    expect(c.aws).toMatchObject({
      endpoint: "http://127.0.0.1:4566",
      region: "eu-west-2",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      forcePathStyle: false,
    });
    expect(c.worker.concurrency).toBe(16);
    expect(c.worker.pollWaitSeconds).toBe(0);
    expect(c.log.level).toBe("debug");
  });

  it("path-style S3 defaults on with an endpoint override", () => {
    expect(loadConfig({ ...base, AWS_ENDPOINT_URL: "http://localhost:4566" }).aws.forcePathStyle).toBe(true);
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ ...base, SLUICE_DB: "", AWS_ENDPOINT_URL: "" }).mongo.db).toBe("sluice");
  });

  it("collects one line per problem, naming the variable and the value", () => {
    let error: unknown;
    try {
      loadConfig({
        SLUICE_WORKER_CONCURRENCY: "x",
        SLUICE_POLL_WAIT_SECONDS: "21",
        LOG_LEVEL: "loud",
        AWS_ACCESS_KEY_ID: "k",
        SLUICE_LEASE_SECONDS: "1.5",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain('SLUICE_WORKER_CONCURRENCY: expected a positive integer, got "x"');
    expect(problems).toContain('SLUICE_POLL_WAIT_SECONDS: expected an integer from 0 to 20, got "21"');
    expect(problems).toContain('SLUICE_LEASE_SECONDS: expected an integer from 1 to 86400, got "1.5"');
    expect(problems.some((p) => p.startsWith("LOG_LEVEL: expected one of"))).toBe(true);
    expect(problems.some((p) => p.startsWith("MONGO_URL: expected"))).toBe(true);
    expect(problems.some((p) => p.startsWith("AWS_SECRET_ACCESS_KEY: expected to be set together"))).toBe(
      true,
    );
    expect(problems).toHaveLength(6);
  });

  it("never echoes secret values", () => {
    try {
      loadConfig({ MONGO_URL: "postgres://user:hunter2@h" });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).message).not.toContain("hunter2");
      expect((e as ConfigError).problems[0]).toMatch(/^MONGO_URL: expected .* got <redacted>$/);
    }
  });

  it("reads nothing at import time and nothing but the env it is given", () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
  });
});

describe("configDocs", () => {
  it("has one row per setting with a default or a marker", () => {
    const rows = configDocs();
    expect(rows.map((r) => r.name)).toEqual(Object.keys(SETTINGS));
    expect(rows.find((r) => r.name === "MONGO_URL")?.default).toBe("(required)");
    expect(rows.find((r) => r.name === "SLUICE_BUCKET")?.default).toBe("sluice-data");
    expect(rows.find((r) => r.name === "AWS_ENDPOINT_URL")?.default).toBe("(unset)");
    expect(rows.every((r) => r.description.length > 10)).toBe(true);
    expect(configDocsMarkdown().split("\n")).toHaveLength(rows.length + 2);
  });

  it("every default parses", () => {
    for (const [name, s] of Object.entries(SETTINGS)) {
      if ("default" in s) expect(s.schema.safeParse(s.default).success, name).toBe(true);
    }
  });
});

describe("loadConfigOrExit", () => {
  it("prints the problems to stderr and exits with code 2", () => {
    const script = `import { loadConfigOrExit } from "./shared/config/exit.ts"; loadConfigOrExit(); console.log("unreachable");`;
    const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env: { PATH: process.env.PATH ?? "", SLUICE_WORKER_CONCURRENCY: "x" },
      encoding: "utf8",
    });
    expect(res.status).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain('SLUICE_WORKER_CONCURRENCY: expected a positive integer, got "x"');
    expect(res.stderr).toContain("MONGO_URL:");
  });
});
