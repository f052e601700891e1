import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { patchPackagesApi } from "../../../infra/stack/install.ts";
import { withLock } from "../../../infra/stack/lock.ts";
import {
  groupMembers,
  parsePidRecord,
  parseStatStartTime,
  pidAlive,
  pidFilePath,
  processStartTime,
  readPidRecord,
  recordAlive,
  removePidRecord,
  writePidRecord,
} from "../../../infra/stack/pidfile.ts";
import type { PidRecord } from "../../../infra/stack/pidfile.ts";

const tmp = (): string => mkdtempSync(join(tmpdir(), "sluice-stack-test-"));

function record(over: Partial<PidRecord> = {}): PidRecord {
  return {
    service: "mongo",
    pid: process.pid,
    pgid: process.pid,
    port: 27110,
    startedAt: "2026-01-01T00:00:00.000Z",
    log: "/x/mongo.log",
    command: ["java"],
    ...over,
  };
}

describe("pid records", () => {
  it("round-trips through the run directory and is removed", () => {
    const dir = join(tmp(), "run");
    const rec = record({ startTime: 42 });
    writePidRecord(dir, rec);
    expect(JSON.parse(readFileSync(pidFilePath(dir, "mongo"), "utf8"))).toEqual(rec);
    expect(readPidRecord(dir, "mongo")).toEqual(rec);
    removePidRecord(dir, "mongo");
    expect(readPidRecord(dir, "mongo")).toBeUndefined();
    removePidRecord(dir, "mongo"); // idempotent
  });
  it("rejects garbage and incomplete records", () => {
    expect(parsePidRecord("not json")).toBeUndefined();
    expect(parsePidRecord("{}")).toBeUndefined();
    expect(parsePidRecord(JSON.stringify({ ...record(), pid: -1 }))).toBeUndefined();
    expect(parsePidRecord(JSON.stringify({ ...record(), service: "redis" }))).toBeUndefined();
    const dir = tmp();
    writeFileSync(pidFilePath(dir, "localstack"), "{");
    expect(readPidRecord(dir, "localstack")).toBeUndefined();
  });
  it("reads the start time from /proc/<pid>/stat even with spaces in the name", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    expect(parseStatStartTime(`123 (my (odd) proc) ${fields.join(" ")}`)).toBe(22);
    expect(parseStatStartTime("garbage")).toBeUndefined();
  });
  it("checks liveness by pid and start time, so a reused pid is not ours", () => {
    const start = processStartTime(process.pid);
    expect(pidAlive(process.pid)).toBe(true);
    expect(recordAlive(record({ startTime: start }))).toBe(true);
    if (start !== undefined) expect(recordAlive(record({ startTime: start + 1 }))).toBe(false);
    expect(pidAlive(2 ** 22 + 17)).toBe(false);
  });
  it("lists the live members of a process group", () => {
    const pgid = Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ")[2]);
    expect(groupMembers(pgid)).toContain(process.pid);
  });
});

describe("install lock", () => {
  it("serialises holders", async () => {
    const file = join(tmp(), "x.lock");
    const order: string[] = [];
    const job = (name: string) =>
      withLock(
        file,
        "test",
        () => undefined,
        async () => {
          order.push(`${name}:in`);
          await new Promise((r) => setTimeout(r, 50));
          order.push(`${name}:out`);
        },
      );
    await Promise.all([job("a"), job("b")]);
    expect(order).toEqual(["a:in", "a:out", "b:in", "b:out"]);
  });
  it("takes over a lock whose owner is dead", async () => {
    const file = join(tmp(), "x.lock");
    writeFileSync(file, `${2 ** 22 + 17}\n`);
    const msgs: string[] = [];
    expect(
      await withLock(
        file,
        "test",
        (m) => msgs.push(m),
        async () => "ran",
      ),
    ).toBe("ran");
    expect(msgs).toEqual([]);
  });
});

describe("patchPackagesApi", () => {
  it("adds postponed annotations once", () => {
    const venv = tmp();
    const dir = join(venv, "lib", "python3.11", "site-packages", "localstack", "packages");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "api.py");
    writeFileSync(file, "import abc\nx: Lock | None = None\n");
    expect(patchPackagesApi(venv)).toBe(true);
    expect(patchPackagesApi(venv)).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(
      "from __future__ import annotations\nimport abc\nx: Lock | None = None\n",
    );
  });
});
