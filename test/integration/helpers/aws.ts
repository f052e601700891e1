import { createAwsClients, type AwsClients } from "../../../shared/aws/clients.ts";
import { testConfig } from "./env.ts";

export function testAwsClients(): AwsClients {
  return createAwsClients(testConfig().aws);
}

export { emptyAndDeleteBucket } from "../../support/bucket-admin.ts";
