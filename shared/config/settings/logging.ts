import { z } from "zod";
import type { Setting } from "./kit.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Logs. */
export const LOGGING_SETTINGS = {
  LOG_LEVEL: {
    schema: z.string().toLowerCase().pipe(z.enum(LOG_LEVELS)),
    default: "info",
    expected: `one of ${LOG_LEVELS.join(", ")}`,
    description: "Minimum log level.",
  },
  LOG_PRETTY: {
    schema: z
      .string()
      .toLowerCase()
      .pipe(z.enum(["auto", "always", "never"])),
    default: "auto",
    expected: "auto, always or never",
    description: "Pretty logs: `auto` when stdout is a terminal and pino-pretty is installed.",
  },
} as const satisfies Record<string, Setting<unknown>>;
