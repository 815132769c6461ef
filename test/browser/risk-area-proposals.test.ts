import assert from "node:assert/strict";
import { test } from "node:test";
import { browserSuite, logIn, snapshot } from "./browser-harness.ts";

// 富兴社区, Tongxin county (同心县), Ningxia.
const FUXING = "640324100001";

const suite = browserSuite();

test("「Downgrade to medium after 7 consecutive days with no new infection, and an area-wide test on day 7 all negative.」 the command sees the proposal for a high-risk community, confirms it, and the community is medium-risk", async () => {
  const context = await suite.browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  await logIn(page, suite.cordon, "command");
  const post = async (path: string, data: unknown) => {
    const r = await page.request.post(`${suite.cordon.baseUrl}${path}`, {
      headers: { "x-cordon-client": "browser-test" },
      data,
    });
    assert.ok(r.ok(), `${path}: ${r.status()} ${await r.text()}`);
    return (await r.json()) as { id: string };
  };
  // Designated on 2022-08-01 under the 9th edition; the day-7 round (08-08) all negative.
  const high = await post("/api/areas", {
    regionCode: FUXING,
    kind: "high",
    from: "2022-08-01T10:00:00+08:00",
    reason: "确诊病例居住小区",
  });
  await post(`/api/areas/${high.id}/events`, {
    kind: "screening_round",
    at: "2022-08-08T15:00:00+08:00",
    result: "negative",
  });

  await page.getByTestId("nav-riskAreas").click();
  await page.waitForURL("**/risk-areas");
  await page.getByTestId("areas-at").fill("2022-08-09T09:00");
  const proposal = page.locator('[data-testid="area-proposal"][data-status="ready"][data-to="medium"]');
  await proposal.waitFor();
  assert.equal(await proposal.getByTestId("proposal-change").textContent(), "高风险区 → 中风险区");
  const conditions = proposal.getByTestId("proposal-condition");
  assert.equal(await conditions.count(), 3);
  for (const met of await conditions.evaluateAll((els) => els.map((e) => e.getAttribute("data-met"))))
    assert.equal(met, "true");
  assert.ok((await conditions.allTextContents()).join("").includes("2022-08-08"));
  assert.ok(
    ((await proposal.getByTestId("proposal-quote").textContent()) ?? "").includes(
      "Downgrade to medium after 7 consecutive days with no new infection",
    ),
  );
  await snapshot(page, "risk-area-proposal");

  await proposal.getByTestId("proposal-confirm").click();
  const reason = page.getByTestId("proposal-reason");
  await reason.waitFor();
  assert.ok(((await reason.inputValue()) ?? "").includes("连续 7 天无新增感染"));
  await page.locator(".ant-modal-footer .ant-btn-primary").last().click();

  const kind = page.locator(
    `tr:has([data-testid="area-region"][data-code="${FUXING}"]) [data-testid="area-kind"]`,
  );
  await page.waitForFunction(
    (code) =>
      [...document.querySelectorAll(`tr:has([data-code="${code}"]) [data-testid="area-kind"]`)].some(
        (e) => e.getAttribute("data-kind") === "medium",
      ),
    FUXING,
  );
  assert.deepEqual(await kind.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind"))), ["medium"]);
  // The medium area that results waits its further 3 days.
  await page.locator('[data-testid="area-proposal"][data-status="pending"][data-to="low"]').waitFor();
  await snapshot(page, "risk-area-confirmed");

  // A new infection recorded through the page on 08-10 restarts the count of the medium area.
  await page.locator(`tr:has([data-code="${FUXING}"]) [data-testid="area-events-open"]`).click();
  await page.getByTestId("event-kind").click();
  await page.locator(".ant-select-item-option").getByText("新增感染").click();
  await page.getByTestId("event-at").fill("2022-08-10T08:00");
  await page.getByTestId("event-record").click();
  await page.locator('[data-testid="area-events"] tbody tr:has-text("新增感染")').waitFor();
  await snapshot(page, "risk-area-facts");
  await page.keyboard.press("Escape");
  await page.getByTestId("areas-at").fill("2022-08-12T12:00");
  const restarted = page.locator('[data-testid="area-proposal"][data-to="low"]');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="area-proposal"] [data-testid="proposal-condition"]')].some(
      (e) => (e.textContent ?? "").includes("最后一例新增感染 2022-08-10"),
    ),
  );
  assert.equal(await restarted.getAttribute("data-status"), "pending");
  await context.close();
});
