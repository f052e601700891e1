import { z } from "zod";
import { LlmError } from "./errors.ts";
import type { JsonSchema, TokenUsage } from "./types.ts";

/**
 * Structured output: the caller's JSON Schema is compiled once into a zod validator (zod's
 * `fromJSONSchema`), the provider is asked for JSON matching the schema (each in its own way), and the
 * answer is parsed and validated here, whatever the provider promised. Pure, no I/O.
 */

/** Largest schema accepted, as JSON text: a schema travels in every request. */
export const MAX_SCHEMA_CHARS = 32_768;

export interface CompiledSchema {
  readonly jsonSchema: JsonSchema;
  readonly validator: z.ZodType;
}

export type CompileResult =
  { readonly ok: true; readonly schema: CompiledSchema } | { readonly ok: false; readonly reason: string };

export function compileSchema(jsonSchema: JsonSchema): CompileResult {
  const text = JSON.stringify(jsonSchema);
  if (text.length > MAX_SCHEMA_CHARS) {
    return { ok: false, reason: `schema is ${text.length} characters as JSON, over ${MAX_SCHEMA_CHARS}` };
  }
  if (jsonSchema["type"] !== "object") {
    return { ok: false, reason: 'schema must describe an object ("type": "object")' };
  }
  try {
    return { ok: true, schema: { jsonSchema, validator: z.fromJSONSchema(jsonSchema as never) } };
  } catch (err) {
    return { ok: false, reason: `schema not supported: ${(err as Error).message}` };
  }
}

/**
 * A provider's start of every request: the request's schema compiled (undefined without one), or
 * `LlmError("rejected")` with the reason it cannot be used.
 */
export function requestSchema(schema: JsonSchema | undefined): CompiledSchema | undefined {
  if (schema === undefined) return undefined;
  const compiled = compileSchema(schema);
  if (!compiled.ok) throw new LlmError("rejected", compiled.reason);
  return compiled.schema;
}

/** Strips one surrounding Markdown code fence (```json … ```), which some models add anyway. */
export function stripFence(text: string): string {
  const m = /^\s*```[A-Za-z]*\s*\n([\s\S]*?)\n?\s*```\s*$/.exec(text);
  return (m ? m[1]! : text).trim();
}

/** The answer parsed as JSON and validated against the schema, or `LlmError("bad_output")`. */
export function parseStructured(text: string, schema: CompiledSchema): unknown {
  let value: unknown;
  try {
    value = JSON.parse(stripFence(text));
  } catch {
    throw new LlmError("bad_output", `the answer is not JSON: ${preview(text)}`);
  }
  const result = schema.validator.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("; ");
    throw new LlmError("bad_output", `the answer does not match the schema: ${issues}`);
  }
  return result.data;
}

function preview(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(t.length > 120 ? `${t.slice(0, 120)}…` : t);
}

/** `parseStructured` for a provider's answer: a failure carries the tokens the answer cost. */
export function structuredAnswer(text: string, schema: CompiledSchema, usage: TokenUsage): unknown {
  try {
    return parseStructured(text, schema);
  } catch (err) {
    if (err instanceof LlmError) throw new LlmError(err.code, err.message, { usage });
    throw err;
  }
}
