import { describe, expect, it } from "vitest";
import { applyAssignments, parseAssignments, parseValue } from "../../../../scheduler/cli/assignments.ts";
import { formatTable } from "../../../../scheduler/cli/table.ts";

describe("tenants set: assignments", () => {
  it("parses JSON values, falling back to text", () => {
    expect(parseValue("5")).toBe(5);
    expect(parseValue("null")).toBeNull();
    expect(parseValue("true")).toBe(true);
    expect(parseValue('{"perSecond":5,"burst":10}')).toEqual({ perSecond: 5, burst: 10 });
    expect(parseValue("paused")).toBe("paused");
    expect(parseValue("billing overdue")).toBe("billing overdue");
    expect(parseValue('"5"')).toBe("5");
  });

  it("refuses unknown and bookkeeping fields and malformed pairs", () => {
    const r = parseAssignments(["weight=2", "version=3", "oops", "tenantId=x"]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toHaveLength(3);
    expect(parseAssignments([]).ok).toBe(false);
    expect(parseAssignments(["rate.burst=4", "reason=a=b"])).toEqual({
      ok: true,
      assignments: [
        { path: "rate.burst", value: 4 },
        { path: "reason", value: "a=b" },
      ],
    });
  });

  it("applies dotted paths, creating a null parent, and reports changed top-level fields", () => {
    const base = { weight: 1, rate: null };
    const { doc, changed } = applyAssignments(base, [
      { path: "rate.perSecond", value: 2 },
      { path: "rate.burst", value: 3 },
      { path: "weight", value: 4 },
    ]);
    expect(doc).toEqual({ weight: 4, rate: { perSecond: 2, burst: 3 } });
    expect(changed).toEqual(["rate", "weight"]);
    expect(base).toEqual({ weight: 1, rate: null }); // not mutated
  });
});

describe("formatTable", () => {
  it("aligns columns, numbers to the right", () => {
    const text = formatTable(
      ["NAME", "N", "NOTE"],
      [
        ["acme", "5", "ok"],
        ["globex-long", "120", ""],
      ],
    );
    expect(text.split("\n")).toEqual(["NAME           N  NOTE", "acme           5  ok", "globex-long  120"]);
  });
});
