/**
 * The `sluice` command tree (cli/): `--help` at every level exits 0 and lists the level's
 * subcommands and options; an unknown command or flag exits 2 with a "did you mean" hint; a group
 * called bare exits 2 with its help. Runs the CLI in-process (runCli) on captured output.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../cli/program.ts";
import { runCli } from "../../../cli/run.ts";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function allCommands(): { path: string[]; cmd: Command }[] {
  const program = buildProgram({ out: () => undefined, err: () => undefined, exit: () => undefined });
  const found: { path: string[]; cmd: Command }[] = [];
  const walk = (cmd: Command, path: string[]) => {
    found.push({ path, cmd });
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(program, []);
  return found;
}

describe("sluice --help", () => {
  const commands = allCommands();

  it("covers every operator and development command group", () => {
    const top = commands.filter((c) => c.path.length === 1).map((c) => c.path[0]);
    for (const name of [
      "tenants",
      "jobs",
      "review",
      "workflows",
      "llm",
      "stack",
      "provision",
      "bench",
      "test",
      "demo",
      "corpus",
      "train",
      "conformance",
      "completion",
    ]) {
      expect(top).toContain(name);
    }
    expect(commands.length).toBeGreaterThan(25);
  });

  it.each(commands.map((c) => [c.path.join(" ") || "(root)", c] as const))(
    "sluice %s --help exits 0 and lists its subcommands and options",
    async (_name, { path, cmd }) => {
      const r = await cli(...path, "--help");
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^Usage: sluice/);
      for (const sub of cmd.commands) expect(r.out).toContain(sub.name());
      for (const opt of cmd.options) expect(r.out).toContain(opt.long ?? opt.short);
    },
  );

  it("sluice help <group> is the group's help", async () => {
    const r = await cli("help", "jobs");
    expect(r.code).toBe(0);
    expect(r.out).toContain("cancel");
  });
});

describe("usage errors exit 2 with a hint", () => {
  it("an unknown command suggests the closest one", async () => {
    const r = await cli("jbos");
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'jbos'");
    expect(r.err).toContain("Did you mean jobs?");
  });

  it("an unknown subcommand suggests the closest one", async () => {
    const r = await cli("tenants", "lsit");
    expect(r.code).toBe(2);
    expect(r.err).toContain("Did you mean list?");
  });

  it("an unknown flag suggests the closest one", async () => {
    const r = await cli("tenants", "list", "--jsno");
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--jsno'");
    expect(r.err).toContain("Did you mean --json?");
  });

  it("a missing argument, a bad option value and a bare group are usage errors", async () => {
    expect((await cli("jobs", "cancel", "acme")).code).toBe(2);
    expect((await cli("review", "list", "acme", "--limit", "zero")).code).toBe(2);
    const bare = await cli("jobs");
    expect(bare.code).toBe(2);
    expect(bare.err).toContain("Usage: sluice jobs");
  });

  it("the review group, which used to exit 2 on --help, exits 0", async () => {
    const r = await cli("review", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("approve");
  });
});

describe("sluice completion bash", () => {
  it("completes every command path of the tree", async () => {
    const r = await cli("completion", "bash");
    expect(r.code).toBe(0);
    expect(r.out).toContain("complete -o default -F _sluice sluice");
    expect(r.out).toContain('"jobs") words="submit list get timeline logs cancel retry');
    expect(r.out).toContain('"tenants list") words="--json --help"');
  });
});

describe("the dev-tools loader", () => {
  it("in a build without the development tools, says so and exits 2", async () => {
    const { runDevTool, NOT_IN_BUILD } = await import("../../../cli/dev-tools.ts");
    let err = "";
    const code = await runDevTool(
      "stack",
      ["status"],
      { out: () => undefined, err: (t) => void (err += t) },
      "/nonexistent-build",
    );
    expect(code).toBe(2);
    expect(err).toContain(NOT_IN_BUILD);
  });
});

describe("the README's CLI reference", () => {
  it("names every command and subcommand of the tree", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(
      readme.indexOf("### The `sluice` CLI"),
      readme.indexOf("### Production build"),
    );
    const program = buildProgram({ out: () => undefined, err: () => undefined, exit: () => undefined });
    for (const group of program.commands) {
      expect(section, group.name()).toMatch(new RegExp(`\`${group.name()}\\b|, \`${group.name()}\``));
      for (const sub of group.commands)
        expect(section, `${group.name()} ${sub.name()}`).toContain(sub.name());
    }
  });
});
