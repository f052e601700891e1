/**
 * The API side's HTTP client in `npm run bench -- api`: node:http with a keep-alive agent holding
 * one socket per concurrent client — the same kind of client the SQS side gets from the AWS SDK
 * (its node:http handler with a keep-alive agent). `fetch` (undici with web streams) cost several
 * times more CPU per request in the same process, which the API side was charged for while the SQS
 * side was not; the client is not what the benchmark measures.
 */
import { Agent, request } from "node:http";

export interface JsonPoster {
  /** POSTs `body` (JSON) with `headers`; resolves with the status once the response is read. */
  post(headers: Readonly<Record<string, string>>, body: string): Promise<number>;
  close(): void;
}

export function jsonPoster(url: string, sockets: number): JsonPoster {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  return {
    post: (headers, body) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: "POST",
            headers: {
              ...headers,
              "content-type": "application/json",
              "content-length": Buffer.byteLength(body),
            },
          },
          (res) => {
            res.on("error", reject);
            res.on("data", () => undefined);
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
