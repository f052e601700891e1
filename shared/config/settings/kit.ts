import { z } from "zod";

/**
 * One environment setting. Each entry parses one raw string (after the default is applied) with zod;
 * `expected` words the error line and `description` the docs row. Defaults are written as the raw
 * environment string, so the docs show exactly what to type.
 */
export interface Setting<T> {
  readonly schema: z.ZodType<T, string>;
  /** Raw default, as it would appear in the environment. */
  readonly default?: string;
  /** When no default applies: required settings are reported if missing; others resolve to undefined. */
  readonly required?: boolean;
  /** Completes "expected …, got "x"". */
  readonly expected: string;
  readonly description: string;
  /** Never echo the value in errors. */
  readonly secret?: boolean;
}

/** The parsers the area tables share. */
export const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^[+-]?\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const bool = z
  .string()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"]))
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** A comma-separated list: items trimmed, empty items dropped. */
export const commaList = z.string().transform((v) =>
  v
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

export const nonEmpty = z.string().min(1);

/** A JSON document in one environment variable, validated by `schema`. */
export const json = <T>(schema: z.ZodType<T>) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
