/**
 * A counting HTTP proxy in front of the local stack's SQS endpoint: point a process's
 * `AWS_ENDPOINT_URL` at `url` and every SQS request it sends is forwarded unchanged and recorded
 * (action from the `X-Amz-Target` header of the JSON protocol, or `Action=` of the query protocol;
 * queue name from the `QueueUrl`; the long poll's `WaitTimeSeconds`). What it counts is what reaches
 * the wire, whichever SDK client in the process sent it (the runtime's, the long-poll client), retries
 * included. Used by the idle-tenant integration test and `npm run bench -- tenants`.
 */
import { Agent, createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountedRequest {
  /** e.g. `ReceiveMessage`, `GetQueueAttributes`; `other` for non-SQS requests. */
  readonly action: string;
  /** The queue's name (last segment of `QueueUrl`), if the request names one. */
  readonly queue: string | undefined;
  readonly waitSeconds: number;
  /** ReceiveMessage: the VisibilityTimeout it asked for, if any. */
  readonly visibilityTimeout?: number;
  /** Epoch ms when the request arrived. */
  readonly at: number;
  /** ReceiveMessage (JSON protocol): the ids of the messages its answer carried, once answered. */
  messageIds?: string[];
  /** Epoch ms when the answer had been passed on in full. */
  answeredAt?: number;
}

export interface SqsRequestCounter {
  /** `http://127.0.0.1:<port>`: the endpoint to give the counted process. */
  readonly url: string;
  readonly requests: readonly CountedRequest[];
  /** Requests from `from` (epoch ms) on, optionally only those matching `filter`. */
  since(from: number, filter?: (r: CountedRequest) => boolean): CountedRequest[];
  close(): Promise<void>;
}

function describe(headers: IncomingMessage["headers"], body: string): Omit<CountedRequest, "at"> {
  const target = headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith("AmazonSQS.")) {
    let parsed: { QueueUrl?: unknown; WaitTimeSeconds?: unknown; VisibilityTimeout?: unknown } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      // not JSON: keep the action only
    }
    const url = typeof parsed.QueueUrl === "string" ? parsed.QueueUrl : undefined;
    return {
      action: target.slice("AmazonSQS.".length),
      queue: url?.split("/").at(-1),
      waitSeconds: typeof parsed.WaitTimeSeconds === "number" ? parsed.WaitTimeSeconds : 0,
      ...(typeof parsed.VisibilityTimeout === "number"
        ? { visibilityTimeout: parsed.VisibilityTimeout }
        : {}),
    };
  }
  const form = new URLSearchParams(body);
  const action = form.get("Action");
  if (action === null) return { action: "other", queue: undefined, waitSeconds: 0 };
  const visibility = form.get("VisibilityTimeout");
  return {
    action,
    queue: form.get("QueueUrl")?.split("/").at(-1),
    waitSeconds: Number(form.get("WaitTimeSeconds") ?? "0"),
    ...(visibility !== null ? { visibilityTimeout: Number(visibility) } : {}),
  };
}

export async function startSqsRequestCounter(target: string): Promise<SqsRequestCounter> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const requests: CountedRequest[] = [];
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, record: CountedRequest) => {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (record.action === "ReceiveMessage") {
          const answer: Buffer[] = [];
          up.on("data", (c: Buffer) => answer.push(c));
          up.on("end", () => {
            try {
              const parsed = JSON.parse(Buffer.concat(answer).toString("utf8")) as {
                Messages?: { MessageId?: string }[];
              };
              record.messageIds = (parsed.Messages ?? []).map((m) => m.MessageId ?? "");
            } catch {
              // not the JSON protocol: leave it unknown
            }
          });
        }
        up.on("end", () => (record.answeredAt = Date.now()));
        up.pipe(res);
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => {
      if (!res.writableFinished) out.destroy(); // the client gave up (an aborted long poll)
    });
    out.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const record: CountedRequest = { ...describe(req.headers, body.toString("utf8")), at: Date.now() };
      requests.push(record);
      forward(req, res, body, record);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    since: (from, filter = () => true) => requests.filter((r) => r.at >= from && filter(r)),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
