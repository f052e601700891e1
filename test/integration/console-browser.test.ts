import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes } from "../../api/routes/index.ts";
import { createAuditLog } from "../../shared/audit/audit-log.ts";
import { tenantsCollection } from "../../shared/fleet/tenants-collection.ts";
import { ApiReplicas } from "../../shared/fleet/api-replicas.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { MongoLeaseStore } from "../../scheduler/shards/lease-store.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { chromiumPath } from "../../infra/chromium.ts";
import { humanReview } from "../../workers/steps/human-review.ts";
import { startJwtIssuer, type JwtIssuer } from "../support/jwt-issuer.ts";
import { startTestApi, type TestApi } from "./api/helpers.ts";
import { createFairFleet, FIXTURE_WORKFLOWS, waitUntil, type FairFleet } from "./helpers/fair-fleet.ts";

/**
 * The operators' console in a real headless Chromium (Debian's `chromium`, driven by playwright-core;
 * nothing downloads a browser) against the real API, a fair scheduler and a worker on the local stack:
 * log in with a signed operator token, see a flooding and a quiet tenant on the fairness chart, edit a
 * quota and see it apply, open a job and its graph, approve a review, redrive a dead letter. Each page
 * is saved as a screenshot under .cache/console-screenshots/.
 */
const CHROMIUM = chromiumPath();
const SHOTS = resolve(import.meta.dirname, "../../.cache/console-screenshots");
const CONSOLE_WORKFLOWS = resolve(import.meta.dirname, "fixtures/console-workflows");

let ff: FairFleet;
let issuer: JwtIssuer;
let api: TestApi;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; npm test does it when run as root) or set SLUICE_CHROMIUM`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  ff = await createFairFleet("console", ["flood", "quiet"], 4, {
    workflowsDir: [FIXTURE_WORKFLOWS, CONSOLE_WORKFLOWS],
    steps: (s) => s.add(humanReview),
  });
  issuer = await startJwtIssuer();
  api = await startTestApi(ff.fleet, issuer, {
    console: true,
    routes: apiRoutes(ff.fleet.rt, ff.catalog).modules,
  });
  await ff.startScheduler();
  await ff.startWorker();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await issuer?.close();
  await ff?.cleanup();
});

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

describe("the operators' console in Chromium", () => {
  it("refuses a tenant token without the operator scope, then logs an operator in", async () => {
    await page.goto(`${api.url}/console/`);
    await page
      .getByTestId("token")
      .fill(await issuer.sign({ "custom:tenant_id": "quiet", scope: "sluice/read" }));
    await page.getByTestId("login").click();
    await page.getByTestId("error").waitFor();
    expect(await page.getByTestId("error").textContent()).toContain("insufficient_scope");

    const token = await issuer.sign({ sub: "ops-alice", scope: "sluice/operator" });
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByTestId("token").fill(token);
    await page.getByTestId("login").click();
    await page.locator("[data-testid=tenant-row][data-tenant=quiet]").waitFor();
    expect(await page.locator("#who").textContent()).toBe("operator ops-alice");
  });

  it("shows a flooding tenant and a quiet one on the fairness chart", async () => {
    await ff.sendJobs("flood", 40, 3_000);
    await ff.sendJobs("quiet", 2, 3_000);
    const flood = page.locator("[data-testid=tenant-row][data-tenant=flood]");
    await waitUntil(
      async () => (await flood.getByTestId("running-cap").textContent())?.startsWith("0 /") === false,
      30_000,
      "flood running on the console",
    );
    await page.locator("polyline.share-line[data-tenant=flood]").waitFor();
    await page.locator("polyline.share-line[data-tenant=quiet]").waitFor();
    await waitUntil(
      async () =>
        (await page.locator("polyline.share-line[data-tenant=flood]").getAttribute("points"))!.split(" ")
          .length >= 3,
      20_000,
      "three samples on the chart",
    );
    expect(Number((await flood.getByTestId("backlog").textContent()) ?? "0")).toBeGreaterThan(0);
    expect(await flood.getByTestId("fair-share").textContent()).toMatch(/^\d+%$/);
    await shot("tenants");
  });

  it("edits a quota, shows the audit entry, and the scheduler applies it", async () => {
    await page.locator("#quota-tenant").selectOption("flood");
    await page.getByTestId("quota-field").selectOption("maxConcurrency");
    await page.getByTestId("quota-value").fill("-1");
    await page.getByTestId("quota-save").click();
    await page.getByTestId("quota-error").waitFor();
    expect(await page.getByTestId("quota-error").textContent()).toContain("maxConcurrency");

    await page.getByTestId("quota-value").fill("1");
    await page.getByTestId("quota-save").click();
    await page.getByTestId("audit-entry").waitFor();
    expect(await page.getByTestId("audit-entry").textContent()).toContain("ops-alice");
    const doc = await tenantsCollection(ff.fleet.rt.fleetDb).findOne({ tenantId: "flood" });
    expect(doc?.["maxConcurrency"]).toBe(1);
    const cap = page.locator("[data-testid=tenant-row][data-tenant=flood]").getByTestId("running-cap");
    await waitUntil(
      async () => (await cap.textContent())?.trim() === "1 / 1",
      30_000,
      "flood down to its new cap",
    );
  });

  it("opens a job and shows its workflow graph with the path taken", async () => {
    // A finished job of the quiet tenant (its two jobs run while the flood is held to its cap).
    await waitUntil(
      async () => (await ff.countJobs("quiet", { status: "complete" })) > 0,
      60_000,
      "a complete quiet job",
    );
    await page.goto(`${api.url}/console/#/jobs?tenant=quiet&status=complete`);
    await page.reload();
    await page.getByTestId("job-row").first().waitFor();
    await page.getByTestId("job-row").first().locator("a").click();
    await page.getByTestId("workflow-graph").waitFor();
    const node = page.locator("[data-testid=graph-node][data-state=Sleep]");
    await node.waitFor();
    expect(await node.getAttribute("data-visited")).toBe("true");
    expect(await page.getByTestId("timeline").textContent()).toContain("state_entered");
  });

  it("approves a review, recorded with the operator's identity", async () => {
    const [key] = await ff.sendInputs("quiet", "sleep-review", [{ ms: 10 }]);
    await waitUntil(
      async () => (await ff.countJobs("quiet", { idempotencyKey: key, status: "needs_review" })) === 1,
      30_000,
      "the job parked for review",
    );
    await page.goto(`${api.url}/console/#/reviews`);
    const card = page.getByTestId("review").first();
    await card.waitFor({ timeout: 15_000 }).catch(() => undefined);
    await shot("reviews");
    await card.waitFor({ timeout: 15_000 }).catch(async (err: unknown) => {
      throw new Error(
        `${(err as Error).message}; the page says: ${await page.locator("main").textContent()}`,
      );
    });
    await card.getByTestId("approve").click();
    await card
      .getByTestId("review-result")
      .filter({ hasText: "approved" })
      .waitFor({ timeout: 15_000 })
      .catch(async (err: unknown) => {
        await shot("reviews-failed");
        throw new Error(`${(err as Error).message}; the page says: ${await card.textContent()}`);
      });
    await waitUntil(
      async () => (await ff.countJobs("quiet", { idempotencyKey: key, status: "complete" })) === 1,
      30_000,
      "the approved job completes",
    );
    const job = await ff.fleet.rt.jobsOf(tenantId("quiet")).findByIdempotencyKey(key!);
    const entries = (await createAuditLog(ff.fleet.rt.fleetDb).list(tenantId("quiet"), { limit: 50 })).filter(
      (e) => e.action === "review.approve",
    );
    expect(entries.map((e) => e.actor.subject)).toContain("ops-alice");
    expect(entries.some((e) => e.target?.jobId === job?._id)).toBe(true);
    await page.reload();
    await page.getByTestId("no-reviews").waitFor();
    // The approved job's page: three states, all on the path taken, none current.
    await page.goto(`${api.url}/console/#/job/quiet/${String(job?.["_id"])}`);
    await page.locator("[data-testid=graph-node][data-state=Done]").waitFor();
    for (const state of ["Prepare", "Review", "Done"]) {
      expect(
        await page.locator(`[data-testid=graph-node][data-state=${state}]`).getAttribute("data-visited"),
      ).toBe("true");
    }
    expect(await page.getByTestId("job-status").textContent()).toBe("complete");
    await shot("job");
  });

  it("shows a dead letter with its reason and redrives it", async () => {
    const { queueUrl } = await ff.fleet.rt.queues.intake("quiet" as never);
    await ff.fleet.rt.sqs.send(queueUrl, { body: "{not json" });
    const dlq = page.locator("[data-testid=dlq][data-queue$=quiet-dlq]");
    await waitUntil(
      async () => {
        await page.goto(`${api.url}/console/#/dlq`);
        await page.reload();
        await dlq.waitFor();
        return (await dlq.getByTestId("dead-letter").count()) > 0;
      },
      30_000,
      "the rejected message in the DLQ",
    );
    expect(await dlq.getByTestId("reason").first().textContent()).toMatch(/json/i);
    await shot("dead-letters");
    await dlq.getByTestId("redrive").first().click();
    await page.getByTestId("redrive-result").filter({ hasText: "moved 1" }).waitFor();
  });

  it("shows the fleet", async () => {
    // A scheduler replica that died a minute ago, besides the test's live one.
    const at = Date.now() - 60_000;
    await new MongoLeaseStore(ff.fleet.rt.fleetDb).heartbeat({
      replicaId: "console-dead-replica",
      at,
      expiresAt: at + 10_000,
      weight: 0,
      owned: 0,
    });
    // An API replica beating now and one dead for a minute.
    await new ApiReplicas(ff.fleet.rt.fleetDb, "console-api-live").beat(Date.now());
    await ff.fleet.rt.fleetDb
      .collection<{ _id: string; at: Date }>(COLLECTIONS.apiReplicas)
      .updateOne({ _id: "console-api-dead" }, { $set: { at: new Date(at) } }, { upsert: true });
    await page.goto(`${api.url}/console/#/fleet`);
    await page.getByTestId("workers").waitFor();
    expect(await page.getByTestId("workers").textContent()).toMatch(/1 alive/);
    const replicas = await page.getByTestId("scheduler-replicas").textContent();
    expect(replicas).toMatch(/Scheduler replicas: 1 alive, 1 dead/);
    expect(replicas).toMatch(/console-dead-replica0\S+DEAD/);
    const apis = await page.getByTestId("api-replicas").textContent();
    expect(apis).toMatch(/API replicas: 1 alive, 1 dead/);
    expect(apis).toMatch(/console-api-dead\S+DEAD/);
    await shot("fleet");
  });
});
