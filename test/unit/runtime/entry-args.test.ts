import { describe, expect, it } from "vitest";
import { entryUsage, parseEntryArgs, type EntrySpec } from "../../../shared/runtime/entry-args.ts";

const spec: EntrySpec = {
  command: "sluice-worker",
  summary: "Runs jobs.",
  flags: [{ name: "--no-sweeper", description: "no sweeper here" }],
};

describe("entry point arguments", () => {
  it("runs with no arguments or known flags", () => {
    expect(parseEntryArgs(spec, [])).toEqual({ kind: "run", flags: new Set() });
    expect(parseEntryArgs(spec, ["--no-sweeper"])).toEqual({ kind: "run", flags: new Set(["--no-sweeper"]) });
  });

  it("--help and -h give the usage with flags and every setting", () => {
    for (const flag of ["--help", "-h"]) {
      const r = parseEntryArgs(spec, [flag]);
      expect(r.kind).toBe("help");
      if (r.kind !== "help") continue;
      expect(r.text).toMatch(/^usage: sluice-worker \[--no-sweeper\] \[--help\]/);
      expect(r.text).toContain("--no-sweeper  no sweeper here");
      expect(r.text).toContain("MONGO_URL");
      expect(r.text).toContain("SLUICE_LEASE_SECONDS");
    }
    expect(entryUsage(spec)).toContain("Runs jobs.");
  });

  it("an unknown argument is an error naming it, even beside --help", () => {
    const r = parseEntryArgs(spec, ["--help", "--sweeper=no"]);
    expect(r).toEqual({
      kind: "error",
      text: 'sluice-worker: unknown argument "--sweeper=no"\nrun with --help for the usage',
    });
  });
});
