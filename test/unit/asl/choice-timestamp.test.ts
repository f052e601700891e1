import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareTimestamps, isTimestamp, parseTimestamp } from "../../../shared/asl/choice/timestamp.ts";

describe("parseTimestamp", () => {
  it.each([
    "2012-10-09T19:00:55Z",
    "2012-10-09T19:00:55+01:00",
    "2012-10-09T19:00:55-05:30",
    "2012-10-09T19:00:55.1Z",
    "2012-10-09T19:00:55.123456789Z",
    "2012-10-09T19:00Z",
    "2016-02-29T00:00:00Z",
    "0001-01-01T00:00:00Z",
  ])("accepts %s", (s) => expect(isTimestamp(s)).toBe(true));

  it.each([
    "2012-10-09T19:00:55", // no offset
    "2012-10-09 19:00:55Z", // space separator
    "2012-10-09t19:00:55Z",
    "2012-10-09T19:00:55z",
    "2023-02-24 12:15:56.832957",
    "2023-02-24",
    "05-12-2016T21:29:29Z",
    "2016-13-05T21:29:29Z",
    "2016-12-05T25:29:29Z",
    "2015-02-29T00:00:00Z",
    "2016-04-31T00:00:00Z",
    "2016-04-30T00:60:00Z",
    "2016-04-30T00:00:60Z",
    "2016-04-30T00:00:00.Z",
    "2016-04-30T00:00:00.1234567890Z",
    "2016-04-30T00:00:00+0100",
    "2016-04-30T00:00:00+19:00",
    "",
    " 2012-10-09T19:00:55Z",
  ])("rejects %j", (s) => expect(isTimestamp(s)).toBe(false));

  it("rejects non-strings", () => {
    for (const v of [null, 0, 1.5, true, [], {}, undefined]) expect(parseTimestamp(v)).toBeUndefined();
  });

  it("applies the offset", () => {
    const z = parseTimestamp("2012-10-09T18:00:55Z");
    const plusOne = parseTimestamp("2012-10-09T19:00:55+01:00");
    expect(z && plusOne && compareTimestamps(z, plusOne)).toBe(0);
  });

  it("orders by sub-millisecond digits", () => {
    const a = parseTimestamp("2012-10-09T19:00:55.1234567Z");
    const b = parseTimestamp("2012-10-09T19:00:55.1234568Z");
    expect(a && b && compareTimestamps(a, b)).toBeLessThan(0);
    expect(a && b && compareTimestamps(b, a)).toBeGreaterThan(0);
  });

  it("agrees with Date for millisecond instants", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (d) => {
          const iso = d.toISOString();
          const t = parseTimestamp(iso);
          expect(t).toEqual({ epochMs: d.getTime(), nanos: 0 });
        },
      ),
    );
  });
});
