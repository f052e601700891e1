import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsAdapterError } from "../../../shared/aws/errors.ts";
import { attrValue, numberAttr, stringAttr, type SqsPort } from "../../../shared/aws/sqs-port.ts";
import { sleep, uniqueName } from "./env.ts";

/**
 * One behavioural suite for every `SqsPort` implementation (real LocalStack adapter and the in-memory
 * fake). `advance` moves time: the fake's injected clock, or a real sleep for SQS.
 */
export interface SqsTarget {
  readonly sqs: SqsPort;
  advance(ms: number): Promise<void>;
  close?(): Promise<void> | void;
}

export function sqsConformanceSuite(label: string, makeTarget: () => Promise<SqsTarget> | SqsTarget): void {
  describe(`SqsPort conformance: ${label}`, () => {
    let t: SqsTarget;
    const prefix = uniqueName("sqsc");
    const created: string[] = [];
    let n = 0;

    async function fresh(opts: Parameters<SqsPort["ensureQueue"]>[1] = {}) {
      const q = await t.sqs.ensureQueue(`${prefix}-${++n}`, opts);
      created.push(q.url);
      if (q.dlq) created.push(q.dlq.url);
      return q;
    }

    async function drain(url: string, count: number, visibilityTimeout = 30) {
      const got = [];
      for (let i = 0; i < 20 && got.length < count; i++) {
        got.push(...(await t.sqs.receive(url, { maxMessages: 10, waitSeconds: 1, visibilityTimeout })));
      }
      return got;
    }

    beforeAll(async () => {
      t = await makeTarget();
    });
    afterAll(async () => {
      for (const url of created) await t.sqs.deleteQueue(url);
      await t.close?.();
    });

    it("ensureQueue is idempotent and reports created vs found, with a DLQ", async () => {
      const name = `${prefix}-idem`;
      const first = await t.sqs.ensureQueue(name, { visibilityTimeout: 5, dlq: { maxReceiveCount: 3 } });
      created.push(first.url, first.dlq?.url ?? "");
      expect(first.created).toBe(true);
      expect(first.dlq?.created).toBe(true);
      expect(first.dlq?.name).toBe(`${name}-dlq`);
      const second = await t.sqs.ensureQueue(name, { visibilityTimeout: 5, dlq: { maxReceiveCount: 3 } });
      expect(second.created).toBe(false);
      expect(second.dlq?.created).toBe(false);
      expect(second.url).toBe(first.url);
      expect(second.arn).toMatch(/^arn:aws:sqs:/);
      expect(await t.sqs.getQueueUrl(name)).toBe(first.url);
    });

    it("getQueueUrl of a missing queue is a NotFound, non-retryable AwsAdapterError", async () => {
      const e = await t.sqs.getQueueUrl(`${prefix}-missing`).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AwsAdapterError);
      expect(e).toMatchObject({ code: "NotFound", retryable: false, service: "sqs" });
    });

    it("sends with attributes and receives them with a receive count", async () => {
      const q = await fresh();
      const { messageId } = await t.sqs.send(q.url, {
        body: '{"hello":"world"}',
        attributes: { tenant: stringAttr("acme"), priority: numberAttr(7) },
      });
      const [m, ...rest] = await drain(q.url, 1);
      expect(rest).toHaveLength(0);
      expect(m?.messageId).toBe(messageId);
      expect(m?.body).toBe('{"hello":"world"}');
      expect(attrValue(m?.attributes ?? {}, "tenant")).toBe("acme");
      expect(m?.attributes.priority).toMatchObject({ DataType: "Number", StringValue: "7" });
      expect(m?.receiveCount).toBe(1);
      expect(m?.sentAt).toBeGreaterThan(0);
    });

    it("batch-sends more than ten messages and batch-deletes them", async () => {
      const q = await fresh();
      const bodies = Array.from({ length: 23 }, (_, i) => `m${i}`);
      const sent = await t.sqs.sendBatch(
        q.url,
        bodies.map((body) => ({ body })),
      );
      expect(sent.failed).toEqual([]);
      expect(sent.successful.map((s) => s.index)).toEqual(bodies.map((_, i) => i));
      const got = await drain(q.url, 23);
      expect(got.map((m) => m.body).sort()).toEqual([...bodies].sort());
      const del = await t.sqs.deleteBatch(
        q.url,
        got.map((m) => m.receiptHandle),
      );
      expect(del.failed).toEqual([]);
      expect(del.successful).toHaveLength(23);
      expect(await t.sqs.approximateDepth(q.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    });

    it("hides a received message for its visibility timeout, then redelivers with a new handle", async () => {
      const q = await fresh();
      await t.sqs.send(q.url, { body: "vis" });
      const [first] = await t.sqs.receive(q.url, { visibilityTimeout: 1, waitSeconds: 1 });
      expect(first?.receiveCount).toBe(1);
      expect(await t.sqs.receive(q.url, { visibilityTimeout: 1 })).toEqual([]);
      expect(await t.sqs.approximateDepth(q.url)).toMatchObject({ visible: 0, inFlight: 1 });
      await t.advance(1500);
      const [again] = await t.sqs.receive(q.url, { visibilityTimeout: 30, waitSeconds: 1 });
      expect(again?.messageId).toBe(first?.messageId);
      expect(again?.receiveCount).toBe(2);
      expect(again?.receiptHandle).not.toBe(first?.receiptHandle);
    });

    it("changeVisibility(0) releases a message at once; delete removes it for good", async () => {
      const q = await fresh();
      await t.sqs.send(q.url, { body: "cv" });
      const [m] = await t.sqs.receive(q.url, { visibilityTimeout: 30, waitSeconds: 1 });
      await t.sqs.changeVisibility(q.url, m?.receiptHandle ?? "", 0);
      const [again] = await t.sqs.receive(q.url, { visibilityTimeout: 1, waitSeconds: 1 });
      expect(again?.body).toBe("cv");
      await t.sqs.delete(q.url, again?.receiptHandle ?? "");
      await t.advance(1500);
      expect(await t.sqs.receive(q.url, { waitSeconds: 0 })).toEqual([]);
      expect(await t.sqs.approximateDepth(q.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    });

    it("delays a message by delaySeconds", async () => {
      const q = await fresh();
      await t.sqs.send(q.url, { body: "later", delaySeconds: 1 });
      expect(await t.sqs.receive(q.url)).toEqual([]);
      expect(await t.sqs.approximateDepth(q.url)).toMatchObject({ visible: 0, delayed: 1 });
      await t.advance(1500);
      const [m] = await t.sqs.receive(q.url, { waitSeconds: 1 });
      expect(m?.body).toBe("later");
    });

    it("moves a message to the DLQ after maxReceiveCount receives", async () => {
      const q = await fresh({ dlq: { maxReceiveCount: 2 } });
      await t.sqs.send(q.url, { body: "poison", attributes: { reason: stringAttr("test") } });
      for (let i = 1; i <= 2; i++) {
        const [m] = await t.sqs.receive(q.url, { waitSeconds: 1 });
        expect(m?.receiveCount).toBe(i);
        await t.sqs.changeVisibility(q.url, m?.receiptHandle ?? "", 0);
      }
      expect(await t.sqs.receive(q.url, { waitSeconds: 0 })).toEqual([]);
      const [dead] = await t.sqs.receive(q.dlq?.url ?? "", { waitSeconds: 1 });
      expect(dead?.body).toBe("poison");
      expect(attrValue(dead?.attributes ?? {}, "reason")).toBe("test");
    });

    it("long-polls: a receive waiting on an empty queue returns a message sent meanwhile", async () => {
      const q = await fresh();
      const started = Date.now();
      const pending = t.sqs.receive(q.url, { waitSeconds: 5 });
      await sleep(300);
      await t.sqs.send(q.url, { body: "woke" });
      const got = await pending;
      expect(got.map((m) => m.body)).toEqual(["woke"]);
      expect(Date.now() - started).toBeLessThan(4500);
    });

    it("an aborted long poll rejects with code Aborted", async () => {
      const q = await fresh();
      const ac = new AbortController();
      const pending = t.sqs.receive(q.url, { waitSeconds: 5, signal: ac.signal }).catch((e: unknown) => e);
      await sleep(100);
      ac.abort();
      expect(await pending).toMatchObject({ code: "Aborted", retryable: false });
    });

    it("batch delete reports a malformed receipt handle per entry", async () => {
      const q = await fresh();
      await t.sqs.send(q.url, { body: "x" });
      const [m] = await t.sqs.receive(q.url, { waitSeconds: 1 });
      const res = await t.sqs.deleteBatch(q.url, [m?.receiptHandle ?? "", "not-a-receipt-handle"]);
      expect(res.successful.map((s) => s.index)).toEqual([0]);
      expect(res.failed).toHaveLength(1);
      expect(res.failed[0]).toMatchObject({ index: 1, code: "InvalidInput" });
    });
  });
}
