import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local HTTP servers that speak the LLM providers' wire protocols, for tests of the real clients
 * (plain fetch for OpenAI-compatible endpoints, the AWS SDK for Bedrock) over real HTTP/1.1 on
 * loopback. Each records the requests it got and answers from a script the test sets.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: unknown;
  readonly httpVersion: string;
}

export interface ScriptedReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

export interface WireServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replies given in order; the last one repeats. */
  reply(...replies: ((req: RecordedRequest) => ScriptedReply)[]): void;
  close(): Promise<void>;
}

export async function startWireServer(): Promise<WireServer> {
  const requests: RecordedRequest[] = [];
  let script: ((req: RecordedRequest) => ScriptedReply)[] = [];
  let served = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        // keep the text
      }
      const rec: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        httpVersion: req.httpVersion,
      };
      requests.push(rec);
      const step = script[Math.min(served++, script.length - 1)];
      const out = step ? step(rec) : { status: 500, body: { message: "no reply scripted" } };
      const payload = typeof out.body === "string" ? out.body : JSON.stringify(out.body);
      res.writeHead(out.status, { "content-type": "application/json", ...out.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(...replies) {
      script = replies;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An OpenAI chat-completions answer. */
export function openAiCompletion(
  content: string,
  usage = { prompt_tokens: 21, completion_tokens: 7, total_tokens: 28 },
  finish = "stop",
): ScriptedReply {
  return {
    status: 200,
    body: {
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 1_764_806_400,
      model: "test-model",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finish }],
      usage,
    },
  };
}

/** A Bedrock Converse answer (restJson1). */
export function converseAnswer(
  text: string,
  usage = { inputTokens: 30, outputTokens: 9, totalTokens: 39 },
  stopReason = "end_turn",
): ScriptedReply {
  return {
    status: 200,
    body: {
      output: { message: { role: "assistant", content: [{ text }] } },
      stopReason,
      usage,
      metrics: { latencyMs: 12 },
    },
  };
}

/** A Bedrock error as the service sends it: the type in `x-amzn-ErrorType`, a JSON message. */
export function bedrockError(status: number, type: string, message: string): ScriptedReply {
  return {
    status,
    headers: { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    body: { message },
  };
}
