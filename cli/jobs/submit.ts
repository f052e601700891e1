/**
 * `sluice jobs submit`: builds an intake message and sends it to the tenant's intake queue, the same
 * way upstream systems submit (the scheduler validates, admits and creates the job on release).
 * The message is checked here with the scheduler's own parser first, so a bad one is a usage error
 * instead of a dead letter.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  parseIntakeMessage,
  PrioritySchema,
  type IntakeMessage,
} from "../../shared/messages/intake-message.ts";
import { UsageError } from "../context.ts";

export interface SubmitOptions {
  readonly input?: string;
  readonly idempotencyKey?: string;
  readonly priority?: string;
}

/** `--input '{"a":1}'` or `--input @file.json`; absent → `{}`. */
export async function readInput(raw: string | undefined): Promise<unknown> {
  if (raw === undefined) return {};
  const text = raw.startsWith("@") ? await readFileText(raw.slice(1)) : raw;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--input is not JSON: ${(err as Error).message}`);
  }
}

async function readFileText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`--input @${path}: ${(err as Error).message}`);
  }
}

/** The intake message body, validated as the scheduler will validate it. */
export async function intakeBody(
  tenant: string,
  workflow: string,
  o: SubmitOptions,
  newKey: () => string = randomUUID,
): Promise<{ body: string; message: IntakeMessage }> {
  if (o.priority !== undefined && !PrioritySchema.safeParse(o.priority).success) {
    throw new UsageError(`--priority must be one of ${PrioritySchema.options.join(", ")}`);
  }
  const body = JSON.stringify({
    tenantId: tenant,
    workflow,
    idempotencyKey: o.idempotencyKey ?? newKey(),
    input: await readInput(o.input),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
  });
  const parsed = parseIntakeMessage(body, tenant);
  if (!parsed.ok) throw new UsageError(parsed.reason);
  return { body, message: parsed.message };
}
