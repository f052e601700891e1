import { describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../../../shared/aws/sqs-port.ts";
import { parseWorkMessage, sendWorkMessage } from "../../../shared/messages/work-message.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

describe("sendWorkMessage", () => {
  const capture = () => {
    const sent: { url: string; message: OutgoingMessage }[] = [];
    return {
      sent,
      sqs: {
        send: async (url: string, message: OutgoingMessage) => {
          sent.push({ url, message });
          return { messageId: "m" };
        },
      },
    };
  };

  it("writes the body that parseWorkMessage reads, and nothing else of the object it is given", async () => {
    const { sent, sqs } = capture();
    const work = { tenantId: tenantId("acme"), jobId: "01JOBIDJOBIDJOBID0000000", extra: 1 };
    await sendWorkMessage(sqs, "q", work);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe("q");
    expect(sent[0]!.message).not.toHaveProperty("delaySeconds");
    expect(parseWorkMessage(sent[0]!.message.body)).toEqual({
      ok: true,
      message: { tenantId: "acme", jobId: "01JOBIDJOBIDJOBID0000000" },
    });
  });

  it("passes a delay through", async () => {
    const { sent, sqs } = capture();
    await sendWorkMessage(
      sqs,
      "q",
      { tenantId: tenantId("acme"), jobId: "01JOBIDJOBIDJOBID0000000" },
      { delaySeconds: 7 },
    );
    expect(sent[0]!.message.delaySeconds).toBe(7);
  });
});
