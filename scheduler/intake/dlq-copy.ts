import type { MessageAttributes, OutgoingMessage, ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import { messageSize, SQS_MAX_PAYLOAD_BYTES, stringAttr } from "../../shared/aws/sqs-port.ts";

/**
 * The dead-letter copy of a rejected intake message, planned without I/O so it always fits SQS:
 *
 * - Sluice's own attributes come first: `reason`, `sourceQueue`, `originalMessageId`, and `bodyRef`
 *   when the body went to S3. Their text is made SQS-safe (characters SQS refuses become U+FFFD) and
 *   cut on a code-point boundary.
 * - The message's own attributes follow, by name, up to SQS's 10 per message; any that do not fit
 *   (by count, or by size once the body is in S3) are named in `droppedAttributes`.
 * - The body is kept byte for byte when the copy fits in 256 KiB; otherwise the caller stores it in S3
 *   (`rejectedMessageKey`) and the copy's body is `{"bodyRef":{"bucket","key","bytes"}}`.
 */
export const SQS_MAX_ATTRIBUTES = 10;
export const MAX_REASON_CHARS = 1000;

export interface DlqMeta {
  readonly reason: string;
  readonly sourceQueue: string;
}

export interface BodyRef {
  readonly bucket: string;
  readonly key: string;
  readonly bytes: number;
}

const OWN = ["reason", "sourceQueue", "originalMessageId", "bodyRef", "droppedAttributes"] as const;

/** The copy with the body inline, or undefined when it cannot fit (then store the body, see `withBodyRef`). */
export function inlineCopy(message: ReceivedMessage, meta: DlqMeta): OutgoingMessage | undefined {
  const copy = plan(message, meta, undefined);
  return messageSize(copy) <= SQS_MAX_PAYLOAD_BYTES ? copy : undefined;
}

/** The copy whose body references the original stored in S3; always within SQS's limits. */
export function withBodyRef(message: ReceivedMessage, meta: DlqMeta, ref: BodyRef): OutgoingMessage {
  return plan(message, meta, ref);
}

function plan(message: ReceivedMessage, meta: DlqMeta, ref: BodyRef | undefined): OutgoingMessage {
  const own: MessageAttributes = {
    reason: stringAttr(sqsSafeText(meta.reason, MAX_REASON_CHARS)),
    sourceQueue: stringAttr(meta.sourceQueue),
    originalMessageId: stringAttr(message.messageId),
    ...(ref !== undefined ? { bodyRef: stringAttr(ref.key) } : {}),
  };
  const body = ref !== undefined ? JSON.stringify({ bodyRef: ref }) : message.body;
  const theirs = Object.keys(message.attributes)
    .sort()
    .map((name) => [name, message.attributes[name]] as const);
  const dropped = theirs.filter(([name]) => (OWN as readonly string[]).includes(name)).map(([n]) => n);
  let kept = theirs.filter(([name]) => !(OWN as readonly string[]).includes(name));
  const room = SQS_MAX_ATTRIBUTES - Object.keys(own).length;
  if (kept.length > room || dropped.length > 0) {
    const fits = room - 1; // one slot for droppedAttributes
    dropped.push(...kept.slice(fits).map(([n]) => n));
    kept = kept.slice(0, fits);
  }
  const build = (): OutgoingMessage => ({
    body,
    attributes: {
      ...Object.fromEntries(kept),
      ...own,
      ...(dropped.length > 0 ? { droppedAttributes: stringAttr(sqsSafeText(dropped.join(","), 1000)) } : {}),
    },
  });
  if (ref === undefined) return build();
  // With the body in S3 the copy must fit whatever the attributes weigh: drop the largest first.
  let copy = build();
  while (messageSize(copy) > SQS_MAX_PAYLOAD_BYTES && kept.length > 0) {
    const largest = kept.reduce((a, b) => (attrBytes(b) > attrBytes(a) ? b : a));
    kept = kept.filter((e) => e !== largest);
    dropped.push(largest[0]);
    copy = build();
  }
  return copy;
}

function attrBytes([name, a]: readonly [string, MessageAttributes[string] | undefined]): number {
  return messageSize({ body: "", attributes: a === undefined ? {} : { [name]: a } });
}

/**
 * `text` as an SQS attribute value: characters outside what SQS accepts (#x9 | #xA | #xD |
 * #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF, so lone surrogates and most control characters)
 * become U+FFFD, and the result is cut to `maxChars` code points (with a trailing `…`).
 */
export function sqsSafeText(text: string, maxChars: number): string {
  const points = Array.from(text, (ch) => {
    const c = ch.codePointAt(0) as number;
    const ok =
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      (c >= 0x10000 && c <= 0x10ffff);
    return ok ? ch : "\uFFFD";
  });
  const cut = points.length <= maxChars ? points : [...points.slice(0, maxChars - 1), "…"];
  return cut.join("") || "(empty)";
}
