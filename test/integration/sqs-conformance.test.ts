import { createAwsClients } from "../../shared/aws/clients.ts";
import { createFakeSqs } from "../support/sqs-fake.ts";
import { createSqsAdapter } from "../../shared/aws/sqs.ts";
import { testConfig, sleep } from "./helpers/env.ts";
import { sqsConformanceSuite } from "./helpers/sqs-conformance.ts";

sqsConformanceSuite("in-memory fake", () => {
  let now = Date.now();
  return {
    sqs: createFakeSqs({ now: () => now }),
    advance: async (ms) => {
      now += ms;
    },
  };
});

sqsConformanceSuite("LocalStack adapter", () => {
  const clients = createAwsClients(testConfig().aws);
  return { sqs: createSqsAdapter(clients.sqs), advance: sleep, close: () => clients.destroy() };
});
