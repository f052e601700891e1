/**
 * An OTLP/HTTP endpoint that accepts every export and throws it away (`--tracing` of the worker
 * bench): it reads each request body to the end and answers 200 with `{}`, counting requests and
 * bytes. It parses nothing, so what the bench measures is the worker's own cost of tracing (spans
 * built, batched, serialized and sent over HTTP), not a collector's; a real collector runs elsewhere.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpSink {
  /** The traces URL (`…/v1/traces`). */
  readonly tracesUrl: string;
  readonly requests: number;
  readonly bytes: number;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => {
      requests += 1;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
    get requests() {
      return requests;
    },
    get bytes() {
      return bytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
