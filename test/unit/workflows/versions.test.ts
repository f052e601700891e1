import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../shared/log/logger.ts";
import { compileWorkflow, loadWorkflowCatalog, WorkflowCatalog } from "../../../shared/workflows/catalog.ts";
import {
  WorkflowVersionDocSchema,
  type WorkflowVersionDoc,
  type WorkflowVersionStore,
} from "../../../shared/workflows/version-store.ts";
import { WorkflowVersions } from "../../../shared/workflows/versions.ts";
import { workflowsCommand } from "../../../workers/cli/workflows.ts";

/** In-memory `workflow_versions` (same contract as the MongoDB store), counting reads and writes. */
class MemoryStore implements WorkflowVersionStore {
  readonly docs = new Map<string, WorkflowVersionDoc>();
  gets = 0;
  puts = 0;
  async get(version: string) {
    this.gets += 1;
    return this.docs.get(version) ?? null;
  }
  async put(doc: WorkflowVersionDoc) {
    this.puts += 1;
    const valid = WorkflowVersionDocSchema.parse(doc);
    if (!this.docs.has(valid._id)) this.docs.set(valid._id, valid);
  }
}

const pass = (result: string) =>
  JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: result, End: true } } });
const BROKEN = JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "Nowhere" } } });

function versionsOver(catalog: () => WorkflowCatalog, store = new MemoryStore()) {
  return { store, versions: new WorkflowVersions({ catalog, store, now: () => 1_000, log: silentLogger() }) };
}
const catalogOf = (...wfs: ReturnType<typeof compileWorkflow>[]) =>
  new WorkflowCatalog(new Map(wfs.map((w) => [w.name, w])));

describe("workflow catalog", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-cat-"));
    await writeFile(join(dir, "good.asl.json"), pass("one"));
    await writeFile(join(dir, "broken.asl.json"), BROKEN);
    await writeFile(join(dir, "notjson.asl.json"), "{");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("an invalid file is refused on its own, with its JSON pointers; the valid ones load", async () => {
    const catalog = await loadWorkflowCatalog(dir);
    expect(catalog.names()).toEqual(["good"]);
    expect(catalog.invalidWorkflows().map((w) => w.file)).toEqual(["broken.asl.json", "notjson.asl.json"]);
    expect(catalog.invalid("broken")!.problems[0]).toMatch(/^broken\.asl\.json: \/States\/A\/Next: /);
    expect(catalog.invalid("notjson")!.problems[0]).toMatch(/^notjson\.asl\.json: not valid JSON/);
  });

  it("a version is the definition's content hash: formatting does not change it, content does", () => {
    const a = compileWorkflow("w", pass("one"));
    expect(compileWorkflow("w", JSON.stringify(JSON.parse(pass("one")), null, 4)).version).toBe(a.version);
    expect(compileWorkflow("w", pass("two")).version).not.toBe(a.version);
    expect(a.version).toBe(a.machine.hash);
    expect(catalogOf(a).byVersion(a.version)).toBe(a);
  });

  it("`workflows validate` exits 1 naming the invalid file and pointer, 0 for a valid file", async () => {
    let out = "";
    const deps = { out: (t: string) => void (out += t), err: () => undefined, hasStep: () => true };
    expect(await workflowsCommand(["validate", dir], deps)).toBe(1);
    expect(out).toMatch(/invalid +\S*broken\.asl\.json\n +broken\.asl\.json: \/States\/A\/Next: /);
    expect(out).toMatch(/ok +\S*good\.asl\.json +version [0-9a-f]{32}/);
    expect(out).toMatch(/1 valid, 2 invalid/);
    out = "";
    expect(await workflowsCommand(["validate", join(dir, "good.asl.json")], deps)).toBe(0);
    expect(await workflowsCommand(["validate", join(dir, "missing")], deps)).toBe(2);
    expect(await workflowsCommand(["check"], deps)).toBe(2);
  });
});

describe("workflow versions", () => {
  it("a new job's version is recorded before it is handed out, once per process", async () => {
    const wf = compileWorkflow("w", pass("one"));
    const { store, versions } = versionsOver(() => catalogOf(wf));
    expect(await versions.current("w")).toEqual({ ok: true, version: wf.version });
    expect(store.docs.get(wf.version)).toEqual({
      _id: wf.version,
      name: "w",
      definition: JSON.stringify(wf.definition),
      recordedAt: 1_000,
    });
    await versions.current("w");
    expect(store.puts).toBe(1);
  });

  it("an unknown workflow and an invalid file are refused with a reason", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-ver-"));
    try {
      await writeFile(join(dir, "broken.asl.json"), BROKEN);
      const catalog = await loadWorkflowCatalog(dir);
      const { versions } = versionsOver(() => catalog);
      expect(await versions.current("nope")).toEqual({ ok: false, reason: 'unknown workflow "nope"' });
      const r = await versions.current("broken");
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(/^invalid workflow "broken": broken\.asl\.json: \/States\/A\/Next: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a version gone from the files is read from the store, compiled once and cached", async () => {
    const v1 = compileWorkflow("w", pass("one"));
    const v2 = compileWorkflow("w", pass("two"));
    let catalog = catalogOf(v1);
    const { store, versions } = versionsOver(() => catalog);
    await versions.current("w");
    catalog = catalogOf(v2); // the file was edited
    const [a, b] = await Promise.all([versions.machine(v1.version), versions.machine(v1.version)]);
    expect(a?.hash).toBe(v1.version);
    expect(b).toBe(a);
    expect(await versions.machine(v1.version)).toBe(a);
    expect(store.gets).toBe(1);
    expect(await versions.machine(v2.version)).toBe(v2.machine); // current: no store read
    expect(store.gets).toBe(1);
  });

  it("a version nobody has is undefined and not cached; a stored definition that does not hash to its id is unusable", async () => {
    const v1 = compileWorkflow("w", pass("one"));
    const { store, versions } = versionsOver(() => catalogOf());
    expect(await versions.machine(v1.version)).toBeUndefined();
    await store.put({ _id: v1.version, name: "w", definition: JSON.stringify(v1.definition), recordedAt: 1 });
    expect((await versions.machine(v1.version))?.hash).toBe(v1.version);

    const other = compileWorkflow("w", pass("two"));
    await store.put({ _id: other.version, name: "w", definition: pass("tampered"), recordedAt: 1 });
    expect(await versions.machine(other.version)).toBeUndefined();
  });

  it("machineToStart records a current version (a job created without the scheduler) and falls back to the store", async () => {
    const v1 = compileWorkflow("w", pass("one"));
    const { store, versions } = versionsOver(() => catalogOf(v1));
    expect(await versions.machineToStart(v1.version)).toBe(v1.machine);
    expect(store.docs.has(v1.version)).toBe(true);
    expect(await versions.machineToStart("0".repeat(32))).toBeUndefined();
  });
});
