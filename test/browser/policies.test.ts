import assert from "node:assert/strict";
import { test } from "node:test";
import { browserSuite, logIn, snapshot } from "./browser-harness.ts";

const QILIN_COMMUNITY = "530302001001";

const suite = browserSuite();

test("command reads the Qilin pack beside its source text and tries an overseas arrival", async () => {
  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await logIn(page, suite.cordon, "command");

  await page.getByTestId("nav-policies").click();
  await page.waitForURL("**/policies");
  const qilin = page.locator('[data-testid="policy-pack-link"][data-pack="qilin-2020-12-winter-spring"]');
  await qilin.waitFor();
  assert.equal(await qilin.textContent(), "麒麟区冬春季疫情防控（2020年12月）");
  await snapshot(page, "policies-list");

  await qilin.click();
  await page.waitForURL("**/policies/qilin-2020-12-winter-spring");
  await page.getByTestId("policy-pack-title").waitFor();
  const quotes = page.getByTestId("rule-quote");
  await quotes.first().waitFor();
  assert.ok(((await quotes.first().textContent()) ?? "").includes("集中隔离14天"));
  assert.ok(((await page.getByTestId("rule-gloss").first().textContent()) ?? "").includes("14 days"));
  await snapshot(page, "policy-pack-qilin");

  await page.getByText("返回规则包列表").click();
  await page.waitForURL("**/policies");
  await page.getByTestId("try-at").fill("2020-12-25T10:00");
  await page.getByTestId("try-destination").click();
  // Filled at once: typed key by key, a slow machine can search a part of the code first.
  await page.getByTestId("try-destination").locator("input").fill(QILIN_COMMUNITY);
  await page.getByTestId(`region-option-${QILIN_COMMUNITY}`).click();
  await page.getByTestId("try-overseas").check();
  await page.getByTestId("try-submit").click();

  const result = page.getByTestId("try-result");
  await result.waitFor();
  assert.equal(await page.getByTestId("try-pack").getAttribute("data-pack"), "qilin-2020-12-winter-spring");
  const centralized = page.getByTestId("try-measures").getByTestId("measure-centralizedQuarantine");
  assert.ok(
    ((await centralized.textContent()) ?? "").includes("14 天"),
    (await centralized.textContent()) ?? "",
  );
  const why = page.locator('[data-testid="try-explanation"][data-rule="overseas-14-days-three-negatives"]');
  assert.ok(((await why.getByTestId("try-quote").textContent()) ?? "").includes("境外"));
  await snapshot(page, "policies-try-overseas");
  await context.close();
});

test("command designates a high-risk community, sees it in force, then ends it", async () => {
  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await logIn(page, suite.cordon, "command");
  await page.getByTestId("nav-riskAreas").click();
  await page.waitForURL("**/risk-areas");
  await page.getByTestId("areas-table").waitFor();

  const fuxing = "640324100001";
  await page.getByTestId("area-designate").click();
  await page.getByTestId("designate-region").click();
  // Filled at once: typed key by key, a slow machine can search a part of the code first.
  await page.getByTestId("designate-region").locator("input").fill(fuxing);
  await page.getByTestId(`region-option-${fuxing}`).click();
  await page.getByTestId("designate-kind").click();
  await page.locator(".ant-select-item-option").getByText("高风险区").click();
  // Started an hour ago, so that ending it now leaves it out of the list in force now.
  const hourAgo = new Date(Date.now() - 3_600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  const local = `${hourAgo.getFullYear()}-${pad(hourAgo.getMonth() + 1)}-${pad(hourAgo.getDate())}T${pad(hourAgo.getHours())}:${pad(hourAgo.getMinutes())}`;
  await page.getByTestId("designate-from").fill(local);
  await page.getByTestId("designate-reason").fill("核酸检测阳性病例居住地");
  await page
    .getByRole("button", { name: "划 定" })
    .or(page.getByRole("button", { name: "划定" }))
    .last()
    .click();

  const row = page.locator(`[data-testid="area-region"][data-code="${fuxing}"]`);
  await row.waitFor();
  assert.equal(await page.getByTestId("area-kind").first().getAttribute("data-kind"), "high");
  await snapshot(page, "risk-areas-designated");

  await page.getByTestId("area-end").first().click();
  await page.getByTestId("end-reason").fill("连续14天无新增病例");
  await page
    .getByRole("button", { name: "解 除" })
    .or(page.getByRole("button", { name: "解除" }))
    .last()
    .click();
  await row.waitFor({ state: "detached" });
  await context.close();
});
