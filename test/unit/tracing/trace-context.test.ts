import { describe, expect, it } from "vitest";
import { stringAttr } from "../../../shared/aws/sqs-port.ts";
import {
  contextOf,
  traceAttributes,
  traceFromAttributes,
  traceFromCarrier,
  traceIdOf,
} from "../../../shared/tracing/trace-context.ts";
import { spanTrace, startSpan } from "../../../shared/tracing/tracing.ts";
import { memoryTracing } from "../../support/memory-tracing.ts";

const TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("trace context in SQS message attributes", () => {
  it("reads traceparent and tracestate from a message's attributes and writes them back alike", () => {
    const attrs = { traceparent: stringAttr(TP), tracestate: stringAttr("vendor=x"), other: stringAttr("y") };
    const t = traceFromAttributes(attrs);
    expect(t).toEqual({ traceparent: TP, tracestate: "vendor=x" });
    expect(traceAttributes(t)).toEqual({ traceparent: stringAttr(TP), tracestate: stringAttr("vendor=x") });
    expect(traceIdOf(t!)).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("ignores a missing or malformed traceparent (the message is simply untraced)", () => {
    expect(traceFromAttributes({})).toBeUndefined();
    expect(traceFromAttributes({ traceparent: stringAttr("nonsense") })).toBeUndefined();
    // Well-formed but invalid per W3C: all-zero trace id, version ff.
    expect(
      traceFromAttributes({
        traceparent: stringAttr("00-00000000000000000000000000000000-b7ad6b7169203331-01"),
      }),
    ).toBeUndefined();
    expect(traceFromCarrier({ traceparent: `ff${TP.slice(2)}` })).toBeUndefined();
    expect(traceAttributes(undefined)).toEqual({});
  });

  it("a span started under a message's context continues its trace, and its own context names it", () => {
    const mem = memoryTracing();
    const parent = traceFromCarrier({ traceparent: TP })!;
    expect(contextOf(parent)).toBeDefined();
    const span = startSpan(mem.tracing, "child", parent, {});
    const own = spanTrace(span)!;
    span.end();
    expect(traceIdOf(own)).toBe(traceIdOf(parent));
    expect(own.traceparent).not.toBe(TP);
    expect(mem.spans()[0]?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
  });
});
