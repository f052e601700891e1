import { createRequire } from "node:module";
import {
  pino,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
  type LoggerOptions,
} from "pino";
import type { TenantId } from "../tenancy/tenant-id.ts";
import { serializeError } from "./error-serializer.ts";
import { REDACTED, REDACT_PATHS, scrubText, scrubValue } from "./redact.ts";

export type { Logger } from "pino";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface LoggerSettings {
  readonly level: LogLevel;
  /** `auto`: pretty only when stdout is a TTY and pino-pretty resolves. Ignored with `destination`. */
  readonly pretty?: "auto" | "always" | "never";
  /** Base binding `service` on every line, e.g. `worker`, `scheduler`. */
  readonly service?: string;
  /** Write JSON lines here instead of stdout (a file, or a capture stream). */
  readonly destination?: DestinationStream;
}

/**
 * Binding conventions for `logger.child(...)`: `tenantId` and `jobId` wherever known, `component`
 * for the subsystem. Use `forJob`/`forTenant` so the keys are spelled one way everywhere.
 */
export interface LogBindings {
  readonly tenantId?: TenantId | string;
  readonly jobId?: string;
  readonly component?: string;
  readonly [key: string]: unknown;
}

/** Builds the process logger. Pure apart from resolving pino-pretty; call from an entry point. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: settings.service ? { service: settings.service } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    formatters: { log: (obj) => scrubValue(obj) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        // Scrub URL secrets from the message string and any printf-style string arguments.
        const scrubbed = args.map((a) => (typeof a === "string" ? scrubText(a) : a));
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    serializers: { err: serializeErrorField, error: serializeErrorField },
  };
  if (settings.destination) return onceBound(pino(options, settings.destination));
  const prettyTarget = wantPretty(settings.pretty ?? "auto");
  if (prettyTarget) {
    return onceBound(
      pino({
        ...options,
        transport: { target: prettyTarget, options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } },
      }),
    );
  }
  return onceBound(pino(options));
}

/**
 * Makes every child of `root` carry each binding key once. Pino appends a child's bindings to its
 * parent's, so a component's logger handed to a sub-component (`rt.log.child({ component:
 * "scheduler" })` → `QuotaSource` adds `component: "quota-source"`) used to write the key
 * `component` twice on one line (invalid for strict JSON readers, ambiguous for the rest). A child
 * that rebinds a key its parent has is built from the root with the merged bindings instead (the
 * child's value wins) and keeps its parent's level. Children inherit the override (pino builds them
 * with `Object.create(parent)`).
 */
function onceBound(root: Logger): Logger {
  const original = root.child as unknown as (
    this: Logger,
    bindings: Bindings,
    options?: ChildLoggerOptions,
  ) => Logger;
  const base = root.bindings();
  const child = function (this: Logger, bindings: Bindings, options?: ChildLoggerOptions): Logger {
    const current = this.bindings();
    if (!Object.keys(bindings).some((k) => k in current)) return original.call(this, bindings, options);
    const merged: Bindings = { ...current, ...bindings };
    for (const k of Object.keys(base)) if (merged[k] === base[k]) delete merged[k];
    const rebound = original.call(root, merged, options);
    if (options?.level === undefined) rebound.level = this.level;
    return rebound;
  };
  (root as { child: unknown }).child = child;
  return root;
}

/** Every error as `serializeError` describes it (name, code, message…), with URL secrets scrubbed. */
function serializeErrorField(err: unknown): unknown {
  // Already serialized (errors anywhere in the object are, by the `log` formatter): keep it.
  if (!(err instanceof Error) && typeof err === "object" && err !== null && "type" in err) return err;
  return scrubValue(serializeError(err));
}

/** The pino-pretty entry to use, or undefined for plain JSON. */
function wantPretty(mode: "auto" | "always" | "never"): string | undefined {
  if (mode === "never") return undefined;
  if (mode === "auto" && !process.stdout.isTTY) return undefined;
  try {
    return createRequire(import.meta.url).resolve("pino-pretty");
  } catch {
    return undefined; // dev dependency absent (production install): stay with JSON
  }
}

/** A logger that drops everything; for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

export function forTenant(logger: Logger, tenantId: TenantId | string, extra?: LogBindings): Logger {
  return logger.child({ ...extra, tenantId });
}

export function forJob(
  logger: Logger,
  tenantId: TenantId | string,
  jobId: string,
  extra?: LogBindings,
): Logger {
  return logger.child({ ...extra, tenantId, jobId });
}
