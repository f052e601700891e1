import { describe, expect, it } from "vitest";
import { exportLines, redactEnv, redactUrl, stackEnv, upReport } from "../../../infra/stack/config.ts";

const local = { aws: "http://127.0.0.1:4566", mongo: "mongodb://127.0.0.1:27017/?directConnection=true" };
const external = stackEnv(
  {
    AWS_ENDPOINT_URL: "https://sqs.example.com",
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrSECRET",
    MONGO_URL: "mongodb+srv://app:hunter2@cluster0.example.net/sluice",
  },
  local,
);

describe("stack output redacts credentials (issue 9, item 14)", () => {
  it("up shows no password or secret key, and says how to get them", () => {
    const report = upReport(external);
    expect(report.stdout).not.toContain("hunter2");
    expect(report.stdout).not.toContain("wJalrSECRET");
    expect(report.stdout).toContain(
      "export MONGO_URL='mongodb+srv://app:[REDACTED]@cluster0.example.net/sluice'",
    );
    expect(report.stdout).toContain("export AWS_SECRET_ACCESS_KEY='[REDACTED]'");
    expect(report.stdout).toContain("export AWS_ACCESS_KEY_ID=AKIAEXAMPLE"); // an identifier, not a secret
    expect(report.note).toMatch(/npm run -s stack env/);
  });

  it("env (exportLines of the real environment) keeps the real values for eval", () => {
    const lines = exportLines(external);
    expect(lines).toContain("export MONGO_URL=mongodb+srv://app:hunter2@cluster0.example.net/sluice");
    expect(lines).toContain("export AWS_SECRET_ACCESS_KEY=wJalrSECRET");
    expect(redactEnv(external)).not.toEqual(external);
  });

  it("the local stack's environment has nothing to redact: up prints it as it is", () => {
    const env = stackEnv({}, local);
    expect(redactEnv(env)).toEqual(env);
    expect(upReport(env)).toEqual({ stdout: exportLines(env) });
  });

  it("status and progress lines show a URL without its password", () => {
    expect(redactUrl("mongodb://u:p@h:1/")).toBe("mongodb://u:[REDACTED]@h:1/");
    expect(redactUrl(local.mongo)).toBe(local.mongo);
  });
});
