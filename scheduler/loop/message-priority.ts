import { attrValue } from "../../shared/aws/sqs-port.ts";
import type { ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import { DEFAULT_PRIORITY, PrioritySchema } from "../quota/priority.ts";
import type { Priority } from "../quota/priority.ts";

/**
 * The priority of an intake message: the body's `priority` field, else the `priority` message
 * attribute, else `normal` (the same precedence `releaseMessage` stores on the job). Never throws: a
 * malformed body is the release's business (it goes to the DLQ there).
 */
export function messagePriority(message: ReceivedMessage): Priority {
  const fromBody = bodyPriority(message.body);
  if (fromBody !== undefined) return fromBody;
  const attr = PrioritySchema.safeParse(attrValue(message.attributes, "priority"));
  return attr.success ? attr.data : DEFAULT_PRIORITY;
}

function bodyPriority(body: string): Priority | undefined {
  if (!body.includes('"priority"')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const p = PrioritySchema.safeParse((parsed as Record<string, unknown>)["priority"]);
    return p.success ? p.data : undefined;
  } catch {
    return undefined;
  }
}
