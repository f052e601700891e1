import { describe, expect, it } from "vitest";

import {
  exportLines,
  localEndpoints,
  mongoBackend,
  parseStackArgs,
  portChoice,
  resolvePaths,
  servicesToStart,
  STACK_OWNER_VAR,
  stackEnv,
  withoutOwnEndpoints,
  stackMode,
} from "../../../infra/stack/config.ts";
import { localstackReady } from "../../../infra/stack/health.ts";
import { composeProject } from "../../../infra/stack/docker.ts";

describe("parseStackArgs", () => {
  it("parses the plain commands", () => {
    for (const cmd of ["up", "down", "status", "env"] as const)
      expect(parseStackArgs([cmd])).toEqual({ cmd });
  });
  it("treats no command and --help as help", () => {
    expect(parseStackArgs([])).toEqual({ cmd: "help" });
    expect(parseStackArgs(["--help"])).toEqual({ cmd: "help" });
  });
  it("parses logs with an optional service, -f and -n", () => {
    expect(parseStackArgs(["logs"])).toEqual({ cmd: "logs", follow: false, lines: 50 });
    expect(parseStackArgs(["logs", "mongo", "-f", "-n", "5"])).toEqual({
      cmd: "logs",
      service: "mongo",
      follow: true,
      lines: 5,
    });
  });
  it("rejects unknown commands, services and stray arguments", () => {
    expect(() => parseStackArgs(["start"])).toThrow(/unknown stack command/);
    expect(() => parseStackArgs(["logs", "redis"])).toThrow(/unknown argument redis/);
    expect(() => parseStackArgs(["logs", "-n", "x"])).toThrow(/positive number/);
    expect(() => parseStackArgs(["up", "now"])).toThrow(/takes no arguments/);
  });
});

describe("ports and modes", () => {
  it("defaults to 4566 / 27017, replaceable when busy", () => {
    expect(portChoice("localstack", {})).toEqual({ port: 4566, explicit: false });
    expect(portChoice("mongo", { SLUICE_MONGO_PORT: "" })).toEqual({ port: 27017, explicit: false });
  });
  it("takes explicit ports and rejects bad ones", () => {
    expect(portChoice("localstack", { SLUICE_LOCALSTACK_PORT: "4610" })).toEqual({
      port: 4610,
      explicit: true,
    });
    expect(() => portChoice("mongo", { SLUICE_MONGO_PORT: "70000" })).toThrow(/SLUICE_MONGO_PORT/);
    expect(() => portChoice("mongo", { SLUICE_MONGO_PORT: "abc" })).toThrow(/not a TCP port/);
  });
  it("validates SLUICE_STACK and SLUICE_MONGO_BACKEND", () => {
    expect(stackMode({})).toBe("auto");
    expect(stackMode({ SLUICE_STACK: "Host" })).toBe("host");
    expect(() => stackMode({ SLUICE_STACK: "k8s" })).toThrow(/SLUICE_STACK/);
    const paths = resolvePaths("/clone", {});
    expect(mongoBackend({}, paths)).toEqual({ kind: "memory" });
    expect(mongoBackend({ SLUICE_MONGO_BACKEND: "h2" }, paths)).toEqual({
      kind: "h2",
      file: "/clone/.cache/mongo/sluice.mv.db",
    });
    expect(() => mongoBackend({ SLUICE_MONGO_BACKEND: "rocks" }, paths)).toThrow(/memory or h2/);
  });
});

describe("resolvePaths", () => {
  it("keeps state in the clone and installs in the per-user cache keyed by version", () => {
    const p = resolvePaths("/clone", { XDG_CACHE_HOME: "/home/u/.cache" });
    expect(p.logs).toBe("/clone/.cache/logs");
    expect(p.run).toBe("/clone/.cache/run");
    expect(p.localstackFs).toBe("/clone/.cache/localstack/fs");
    expect(p.localstackVenv).toBe("/home/u/.cache/sluice/localstack-4.13.1/venv");
    expect(p.mongoHome).toBe("/home/u/.cache/sluice/mongo-java-server-1.47.0");
  });
  it("honours SLUICE_STATE_DIR and SLUICE_CACHE_DIR", () => {
    const p = resolvePaths("/clone", { SLUICE_STATE_DIR: "/tmp/s", SLUICE_CACHE_DIR: "/tmp/c" });
    expect(p.run).toBe("/tmp/s/run");
    expect(p.localstackHome).toBe("/tmp/c/localstack-4.13.1");
  });
});

describe("environment resolution", () => {
  const local = localEndpoints({ localstack: 4610, mongo: 27110 });

  it("starts both services when nothing is given", () => {
    expect(servicesToStart({})).toEqual({ provided: [], start: ["localstack", "mongo"] });
  });
  it("starts nothing when both endpoints are given, and only the missing one otherwise", () => {
    expect(servicesToStart({ AWS_ENDPOINT_URL: "http://x", MONGO_URL: "mongodb://y" }).start).toEqual([]);
    expect(servicesToStart({ MONGO_URL: "mongodb://y" })).toEqual({
      provided: ["mongo"],
      start: ["localstack"],
    });
  });
  it("hands out the local endpoints with LocalStack's dummy credentials", () => {
    expect(stackEnv({ AWS_ACCESS_KEY_ID: "AKIAREAL" }, local)).toEqual({
      AWS_ENDPOINT_URL: "http://127.0.0.1:4610",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      MONGO_URL: "mongodb://127.0.0.1:27110/?directConnection=true",
    });
  });
  it("keeps what the user gave: endpoints, region, credentials", () => {
    const env = stackEnv(
      {
        AWS_ENDPOINT_URL: "https://sqs.example",
        MONGO_URL: "mongodb://db/",
        AWS_DEFAULT_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AK",
        AWS_SECRET_ACCESS_KEY: "SK",
      },
      {},
    );
    expect(env).toEqual({
      AWS_ENDPOINT_URL: "https://sqs.example",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AK",
      AWS_SECRET_ACCESS_KEY: "SK",
      MONGO_URL: "mongodb://db/",
    });
  });
  it("exports AWS_DEFAULT_REGION beside AWS_REGION (the AWS CLI v1 reads only that one)", () => {
    const lines = exportLines(stackEnv({}, local)).split("\n");
    expect(lines).toContain("export AWS_REGION=us-east-1");
    expect(lines).toContain("export AWS_DEFAULT_REGION=us-east-1");
    expect(stackEnv({ AWS_REGION: "eu-central-1" }, local).AWS_DEFAULT_REGION).toBe("eu-central-1");
  });

  describe('after eval "$(npm run -s stack env)" in the same shell', () => {
    const state = "/clone/.cache";
    const exported = (owner: string | undefined): Record<string, string> => {
      const env: Record<string, string> = {};
      for (const line of exportLines(stackEnv({}, local), owner).split("\n")) {
        const [, k, v] = /^export (\w+)=(.*)$/.exec(line) ?? [];
        env[k!] = v!.replace(/^'|'$/g, "");
      }
      return env;
    };

    it("stack env names the clone whose stack the endpoints are", () => {
      expect(exported(state)[STACK_OWNER_VAR]).toBe(state);
    });
    it("up starts this clone's stack again instead of checking it as an external endpoint", () => {
      expect(servicesToStart(exported(state), { stateDir: state })).toEqual({
        provided: [],
        start: ["localstack", "mongo"],
      });
    });
    it("status and up treat a recorded service's URL as this clone's, even without the marker", () => {
      const env = exported(undefined);
      const urls = { localstack: [local.aws], mongo: [local.mongo] };
      expect(servicesToStart(env, { stateDir: state, urls }).provided).toEqual([]);
      expect(withoutOwnEndpoints(env, state, urls)).not.toHaveProperty("AWS_ENDPOINT_URL");
    });
    it("another clone's endpoints, or a server of the user's, stay external", () => {
      expect(servicesToStart(exported("/other/.cache"), { stateDir: state }).provided).toEqual([
        "localstack",
        "mongo",
      ]);
      const user = { AWS_ENDPOINT_URL: "http://127.0.0.1:4566", MONGO_URL: "mongodb://db/" };
      expect(servicesToStart(user, { stateDir: state, urls: { localstack: [local.aws] } }).provided).toEqual([
        "localstack",
        "mongo",
      ]);
    });
  });

  it("prints export lines that a shell can eval", () => {
    const lines = exportLines(stackEnv({}, local)).split("\n");
    expect(lines).toContain("export AWS_ENDPOINT_URL=http://127.0.0.1:4610");
    expect(lines).toContain("export MONGO_URL='mongodb://127.0.0.1:27110/?directConnection=true'");
    expect(exportLines({ ...stackEnv({}, local), AWS_SECRET_ACCESS_KEY: "it's" })).toContain(
      `export AWS_SECRET_ACCESS_KEY='it'\\''s'`,
    );
  });
});

describe("health and compose helpers", () => {
  it("is ready only when sqs, s3, stepfunctions and kms are running or available", () => {
    expect(
      localstackReady({
        services: { sqs: "running", s3: "available", stepfunctions: "running", kms: "available" },
      }).ok,
    ).toBe(true);
    const h = localstackReady({
      services: { sqs: "running", s3: "running", stepfunctions: "error", kms: "running" },
    });
    expect(h).toEqual({ ok: false, detail: "sqs=running s3=running stepfunctions=error kms=running" });
    expect(
      localstackReady({ services: { sqs: "running", s3: "running", stepfunctions: "running" } }),
    ).toEqual({ ok: false, detail: "sqs=running s3=running stepfunctions=running kms=missing" });
    expect(localstackReady(null).ok).toBe(false);
  });
  it("names the compose project after the clone, stably", () => {
    expect(composeProject("/work/My Clone")).toMatch(/^sluice-myclone-[0-9a-f]{8}$/);
    expect(composeProject("/a/x")).not.toBe(composeProject("/b/x"));
  });
});
