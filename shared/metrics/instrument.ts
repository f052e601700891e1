/**
 * Counting dependency failures without touching the adapters: a port (SqsPort, BlobStore) is wrapped
 * so that every rejected call whose error is an `AwsAdapterError` counts once under its kind
 * (`Throttled`, `Unavailable`, `NotFound`, …), and the MongoDB client's monitoring events count
 * failed heartbeats, failed connection check-outs and cleared pools. Errors still propagate as before.
 */
import type { MongoClient } from "mongodb";
import { isAwsError } from "../aws/errors.ts";
import type { MetricsSink } from "./sluice-metrics.ts";

/** `target` with every promise-returning method counting its AWS failures. */
export function countAwsErrors<T extends object>(
  target: T,
  service: "sqs" | "s3" | "sfn",
  sink: MetricsSink,
): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop);
      if (typeof value !== "function") return value;
      return function (this: unknown, ...args: unknown[]) {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            if (isAwsError(err)) sink.dependencyError(service, err.code);
            throw err;
          });
        }
        return result;
      };
    },
  });
}

/** Counts the MongoDB client's failures by kind; returns a function that stops counting. */
export function countMongoErrors(client: MongoClient, sink: MetricsSink): () => void {
  const heartbeat = () => sink.dependencyError("mongo", "heartbeat_failed");
  const checkout = () => sink.dependencyError("mongo", "checkout_failed");
  const cleared = () => sink.dependencyError("mongo", "pool_cleared");
  client.on("serverHeartbeatFailed", heartbeat);
  client.on("connectionCheckOutFailed", checkout);
  client.on("connectionPoolCleared", cleared);
  return () => {
    client.off("serverHeartbeatFailed", heartbeat);
    client.off("connectionCheckOutFailed", checkout);
    client.off("connectionPoolCleared", cleared);
  };
}
