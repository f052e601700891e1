import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients, type AwsClients } from "../../shared/aws/clients.ts";
import { AwsAdapterError } from "../../shared/aws/errors.ts";
import {
  createSfnAdapter,
  deployStateMachineFile,
  readStateMachineFile,
  type SfnPort,
} from "../../shared/aws/sfn.ts";
import { testConfig, uniqueName } from "./helpers/env.ts";

describe("Step Functions adapter (LocalStack)", () => {
  let clients: AwsClients;
  let sfn: SfnPort;
  const name = uniqueName("sfn");
  const arns: string[] = [];

  beforeAll(() => {
    const config = testConfig();
    clients = createAwsClients(config.aws);
    sfn = createSfnAdapter(clients.sfn, config.aws.sfnRoleArn);
  });
  afterAll(async () => {
    for (const arn of arns) await sfn.deleteStateMachine(arn);
    clients.destroy();
  });

  it("creates from a file, then finds it unchanged, then updates a changed definition", async () => {
    const first = await deployStateMachineFile(sfn, "pass-only.asl.json", name);
    arns.push(first.arn);
    expect(first.outcome).toBe("created");
    expect(first.arn).toMatch(/^arn:aws:states:.*:stateMachine:/);
    expect((await deployStateMachineFile(sfn, "pass-only.asl.json", name)).outcome).toBe("unchanged");

    const { definition } = await readStateMachineFile("pass-only.asl.json");
    const changed = { ...definition, Comment: "changed" };
    const updated = await sfn.deployStateMachine(name, changed);
    expect(updated).toMatchObject({ arn: first.arn, outcome: "updated" });
    // Restore the file's definition for the execution test.
    expect((await deployStateMachineFile(sfn, "pass-only.asl.json", name)).outcome).toBe("updated");
  });

  it("runs the Pass-only machine to SUCCEEDED with the expected output", async () => {
    const { arn } = await deployStateMachineFile(sfn, "pass-only.asl.json", name);
    const { executionArn } = await sfn.startExecution(arn, { name: "acme" }, { name: "run-1" });
    expect(executionArn).toContain(":execution:");
    const started = await sfn.describeExecution(executionArn);
    expect(["RUNNING", "SUCCEEDED"]).toContain(started.status);

    const done = await sfn.waitForExecution(executionArn, { timeoutMs: 30_000 });
    expect(done.status).toBe("SUCCEEDED");
    expect(done.output).toEqual({
      name: "acme",
      shaped: { greeting: "Hello, acme!", original: { name: "acme" } },
      status: "done",
    });
  });

  it("describing an unknown execution is a typed error", async () => {
    const e = await sfn
      .describeExecution("arn:aws:states:us-east-1:000000000000:execution:nope:nope")
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AwsAdapterError);
    expect((e as AwsAdapterError).code).toBe("NotFound");
  });

  it("rejects an invalid definition with InvalidInput", async () => {
    const e = await sfn
      .deployStateMachine(`${name}-bad`, { StartAt: "Nowhere", States: {} })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "InvalidInput", retryable: false });
  });
});
