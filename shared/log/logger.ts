import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
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
  if (settings.destination) return pino(options, settings.destination);
  const prettyTarget = wantPretty(settings.pretty ?? "auto");
  if (prettyTarget) {
    return pino({
      ...options,
      transport: { target: prettyTarget, options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } },
    });
  }
  return pino(options);
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
