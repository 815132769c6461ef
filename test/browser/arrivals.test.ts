import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { browserSuite, logIn, snapshot } from "./browser-harness.ts";

// The demo citizen's record is in 兴庆区 (640104), Yinchuan; so is the demo grid worker's jurisdiction.
// An arrival on 2021-12-20 falls under Ningxia's winter-spring notice of 2021-12-07: inbound from
// abroad, 7 days centralized then 7 days of home health monitoring.
const COMMUNITY = "640104001002";
const BEIJING = "110000";

const suite = browserSuite();

async function pickRegion(page: Page, testId: string, code: string): Promise<void> {
  await page.getByTestId(testId).click();
  // Filled at once, not typed key by key: on a slow machine a pause between keys lets the debounced
  // search run on a part of the code, and its options are swapped out under the click.
  await page.getByTestId(testId).locator("input").fill(code);
  // The option in the open dropdown (a closed picker keeps its earlier options hidden in the page).
  const option = page.locator(`[data-testid="region-option-${code}"]:visible`);
  await option.click();
  // Until its dropdown has closed, the chosen option is still on screen and would be found again by
  // the next picker asked for the same region.
  await option.waitFor({ state: "hidden" });
}

test("a citizen reports an arrival from abroad on a phone; the grid worker takes it from verification to release, and the citizen sees it released", async () => {
  // The citizen, on a phone.
  const phone = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 390, height: 844 } });
  const citizen = await phone.newPage();
  const pageErrors: string[] = [];
  citizen.on("pageerror", (e) => pageErrors.push(e.message));
  await logIn(citizen, suite.cordon, "citizen");
  await citizen.getByTestId("open-self-report").click();
  await citizen.waitForURL("**/me/arrival");
  await citizen.getByTestId("self-report-page").waitFor();

  // A date months ahead is refused by the server, and the reason shows under the arrival time.
  await citizen.getByTestId("report-arrival-at").fill("2099-01-01T10:00");
  await pickRegion(citizen, "report-destination", COMMUNITY);
  await pickRegion(citizen, "report-origin", BEIJING);
  await citizen.getByTestId("report-route").fill("MU5211 北京首都机场入境 → 银川河东机场");
  await citizen.getByTestId("travel-add").click();
  await pickRegion(citizen, "travel-region-0", BEIJING);
  await citizen.getByTestId("travel-from-0").fill("2021-12-14");
  await citizen.getByTestId("travel-to-0").fill("2021-12-20");
  await citizen.getByTestId("report-overseas").check();
  await citizen.getByTestId("self-report-submit").click();
  const arrivalError = citizen.locator("[data-testid=field-arrivalAt] .ant-form-item-explain-error");
  await arrivalError.waitFor();
  const arrivalErrorText = (await arrivalError.textContent()) ?? "";
  assert.ok(arrivalErrorText.includes("最多可提前"), arrivalErrorText);
  await snapshot(citizen, "self-report-field-error-phone");

  await citizen.getByTestId("report-arrival-at").fill("2021-12-20T15:00");
  await citizen.getByTestId("self-report-submit").click();
  const result = citizen.getByTestId("self-report-result");
  await result.waitFor();
  assert.equal(
    await citizen.getByTestId("decision-result").getAttribute("data-pack"),
    "ningxia-2021-12-winter-spring",
  );
  const centralized = result.getByTestId("result-measures").getByTestId("measure-centralizedQuarantine");
  assert.ok(
    ((await centralized.textContent()) ?? "").includes("7 天"),
    (await centralized.textContent()) ?? "",
  );
  assert.ok(((await result.getByTestId("result-due").textContent()) ?? "").length > 0);
  await result.locator('[data-testid=result-rule][data-rule="inbound-7-7-four-tests"]').waitFor();
  assert.ok(((await result.textContent()) ?? "").includes("社区将与您联系"));
  // Laid out for the phone: nothing wider than the screen.
  const width = await citizen.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide on a 390px screen`);
  await snapshot(citizen, "self-report-result-phone");
  const mine = citizen.getByTestId("my-arrival-status");
  await mine.first().waitFor();
  assert.equal(await mine.first().getAttribute("data-status"), "pending");

  // The grid worker of 兴庆区, at a desktop.
  const desk = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 1440, height: 900 } });
  const grid = await desk.newPage();
  // What the page asked the server and heard back, and what it logged: said when a step is not taken.
  const traffic: string[] = [];
  const t0 = Date.now();
  const note = (line: string) => traffic.push(`+${Date.now() - t0} ms ${line}`);
  grid.on("console", (m) => note(`console.${m.type()} ${m.text()}`));
  grid.on("request", (r) => r.url().includes("/api/") && note(`> ${r.method()} ${r.url()}`));
  grid.on("response", (r) => r.url().includes("/api/") && note(`< ${r.status()} ${r.url()}`));
  grid.on("pageerror", (e) => pageErrors.push(e.message));
  await logIn(grid, suite.cordon, "grid");
  await grid.getByTestId("nav-arrivals").click();
  await grid.waitForURL("**/arrivals");
  const row = grid
    .locator("[data-testid=tasks-table] tr[data-row-key]")
    .filter({ has: grid.locator('[data-testid=task-reported-by][data-by="citizen"]') })
    .first();
  await row.waitFor();
  assert.equal(await row.getByTestId("task-reported-by").textContent(), "本人报备");
  assert.ok(((await row.getByTestId("task-measures").textContent()) ?? "").includes("集中隔离"));
  assert.ok(((await row.getByTestId("task-measures").textContent()) ?? "").includes("居家健康监测"));
  assert.equal(await row.getByTestId("task-due").getAttribute("data-overdue"), "false");
  assert.ok(((await row.getByTestId("task-due").textContent()) ?? "").includes("剩余"));
  assert.match((await row.getByTestId("task-document").textContent()) ?? "", /\*{4}/);
  assert.equal(await row.getByTestId("task-status").getAttribute("data-status"), "pending");
  await snapshot(grid, "arrivals-task-pending");

  // 核 → 转 → 检 → 隔 → 解除, one step at a time, each at the time the form offers (now).
  for (const [step, status] of [
    ["verify", "verify"],
    ["transfer", "transfer"],
    ["test", "test"],
    ["control", "control"],
    ["released", "released"],
  ] as const) {
    const next = row.getByTestId("task-next-step");
    assert.equal(await next.getAttribute("data-step"), step);
    await next.click();
    await grid.getByTestId("step-at").waitFor();
    // Animations off (the harness's browser asks for reduced motion): the dialog does not zoom in —
    // its motion classes may come and go, but they animate nothing.
    const dialog = grid.locator(".ant-modal").filter({ has: grid.getByTestId("step-at") });
    assert.equal(await dialog.evaluate((el) => getComputedStyle(el).animationDuration), "0s");
    await grid.getByTestId("step-confirm").click();
    // The dialog closes once the step is taken; if the server refused it, say why.
    await grid
      .getByTestId("step-at")
      .waitFor({ state: "hidden" })
      .catch(async (e: unknown) => {
        const shown = await grid
          .locator(".ant-modal .ant-alert, .ant-modal .ant-form-item-explain-error")
          .allTextContents();
        const ok = grid.getByTestId("step-confirm");
        const state = `confirm button: ${(await ok.count()) ? await ok.evaluate((b) => b.outerHTML.slice(0, 300)) : "none"}`;
        throw new Error(
          `step ${step} was not taken: ${shown.join(" ") || "(no message)"}\n${state}\n${traffic.slice(-30).join("\n")}`,
          { cause: e },
        );
      });
    await row.locator(`[data-testid=task-status][data-status="${status}"]`).waitFor();
  }
  assert.equal(await row.getByTestId("task-status").textContent(), "已解除");
  assert.equal(await row.getByTestId("task-next-step").count(), 0);
  await row.locator(".ant-table-row-expand-icon").click();
  const history = grid.getByTestId("task-history").getByTestId("task-history-step");
  await history.nth(4).waitFor();
  assert.deepEqual(await history.evaluateAll((els) => els.map((e) => e.getAttribute("data-step"))), [
    "verify",
    "transfer",
    "test",
    "control",
    "released",
  ]);
  assert.ok(((await history.first().textContent()) ?? "").includes("兴庆区网格员"));
  await snapshot(grid, "arrivals-task-released");
  const counts = grid.getByTestId("arrival-counts");
  // The counts card drills down from the township to the community that received the arrival.
  await counts.locator("tr[data-row-key='640104001']").click();
  const community = counts.locator(`tr[data-row-key='${COMMUNITY}']`);
  await community.waitFor();
  assert.deepEqual(
    await community.locator("td").evaluateAll((tds) => tds.slice(1).map((td) => td.textContent)),
    ["1", "0", "1"],
  );
  await desk.close();

  // Back on the phone, the citizen's own page says released.
  await citizen.goto(`${suite.cordon.baseUrl}/me`);
  const status = citizen.getByTestId("my-arrival-status").first();
  await status.waitFor();
  assert.equal(await status.getAttribute("data-status"), "released");
  assert.equal(await status.textContent(), "已解除");
  await snapshot(citizen, "my-record-released-phone");
  assert.deepEqual(pageErrors, []);
  await phone.close();
});

test("the command sees the deadlines in force for its jurisdiction and sets its own", async () => {
  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await logIn(page, suite.cordon, "command");
  await page.getByTestId("nav-arrivals").click();
  await page.waitForURL("**/arrivals");
  const rule = page.getByTestId("deadline-arrivalTask-rule");
  await rule.waitFor();
  assert.equal(await rule.textContent(), "24 小时内");
  await page.getByTestId("deadlines-edit").click();
  await page.getByTestId("deadline-arrivalTask-mode").click();
  await page.locator(".ant-select-item-option").getByText("登记后若干小时内").click();
  await page
    .locator("input[data-testid=deadline-arrivalTask-hours], [data-testid=deadline-arrivalTask-hours] input")
    .first()
    .fill("12");
  await page.getByTestId("deadlines-save").click();
  await page.getByText("12 小时内").waitFor();
  // The region that set it is named once its name has loaded.
  await page.getByTestId("deadline-arrivalTask").filter({ hasText: "宁夏" }).waitFor();
  await snapshot(page, "deadlines-card");
  // The same page in English.
  await page.getByTestId("language-en").click();
  await page.getByText("Arrival control tasks", { exact: true }).first().waitFor();
  assert.equal(await rule.textContent(), "Within 12 h");
  assert.equal(await page.getByTestId("task-reported-by").first().textContent(), "Self-reported");
  await snapshot(page, "arrivals-en");
  await context.close();
});
