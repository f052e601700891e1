/**
 * The SQS client for idle tenants' long polls (ADR 0023). A scheduler keeps one `ReceiveMessage`
 * with `WaitTimeSeconds` open per idle tenant it owns, so this client has its own HTTP agent sized
 * for that (`maxSockets`: `SLUICE_INTAKE_MAX_SOCKETS`, default 1,000) and request timeouts longer
 * than the wait: the SDK's default agent (50 sockets) would queue every request behind the open
 * polls, and a timeout shorter than the wait would cut every poll. Everything else the scheduler
 * does (short receives, deletes, sends) stays on the runtime's client, so open polls never delay it.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { awsClientConfig, type AwsSettings } from "./clients.ts";
import { createSqsAdapter } from "./sqs.ts";
import type { SqsPort } from "./sqs-port.ts";

export interface LongPollClientOptions {
  /** Sockets the client may open: at least the idle tenants one scheduler owns, plus headroom. */
  readonly maxSockets: number;
  /** The polls' WaitTimeSeconds (the request timeout is this plus `marginMs`). */
  readonly waitSeconds: number;
  /** Default 10 s. */
  readonly marginMs?: number;
}

export interface LongPollClient {
  readonly client: SQSClient;
  readonly sqs: SqsPort;
  /** Closes the agent's sockets; idempotent. */
  close(): void;
}

/** The handler settings for `options` (exported for the unit test). */
export function longPollHandlerSettings(options: LongPollClientOptions) {
  const requestTimeout = options.waitSeconds * 1000 + (options.marginMs ?? 10_000);
  const agent = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets };
  return { requestTimeout, connectionTimeout: 5_000, agent };
}

export function createLongPollClient(aws: AwsSettings, options: LongPollClientOptions): LongPollClient {
  const s = longPollHandlerSettings(options);
  const client = new SQSClient({
    ...awsClientConfig(aws),
    requestHandler: new NodeHttpHandler({
      requestTimeout: s.requestTimeout,
      connectionTimeout: s.connectionTimeout,
      httpAgent: new HttpAgent(s.agent),
      httpsAgent: new HttpsAgent(s.agent),
    }),
  });
  let closed = false;
  return {
    client,
    sqs: createSqsAdapter(client),
    close() {
      if (closed) return;
      closed = true;
      client.destroy();
    },
  };
}
