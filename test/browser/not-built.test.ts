import assert from "node:assert/strict";
import { test } from "node:test";
import { browserSuite, logIn, snapshot } from "./browser-harness.ts";

const suite = browserSuite();

test("a capability that is not built yet says so plainly, in the user's language, with no made-up data", async () => {
  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await logIn(page, suite.cordon, "grid");

  // Every part of the platform is in the navigation, built or not.
  for (const key of [
    "regions",
    "people",
    "arrivals",
    "quarantine",
    "natSample",
    "investigations",
    "command",
  ]) {
    assert.equal(await page.getByTestId(`nav-${key}`).count(), 1, `nav-${key}`);
  }
  // A grid worker does not manage users nor read the audit log.
  assert.equal(await page.getByTestId("nav-users").count(), 0);
  assert.equal(await page.getByTestId("nav-audit").count(), 0);

  await page.getByTestId("nav-warning").click();
  await page.waitForURL("**/warning");
  const title = page.getByTestId("not-built-title");
  assert.equal(await title.textContent(), "“预警”功能尚未建成");
  assert.ok(((await page.getByTestId("not-built-description").textContent()) ?? "").includes("多点触发"));
  const notBuilt = page.getByTestId("not-built");
  assert.equal(await notBuilt.locator("canvas, table, .ant-statistic").count(), 0);
  await snapshot(page, "not-built-zh");

  await page.getByTestId("language-en").click();
  await title.getByText("“Early warning” is not built yet").waitFor();
  assert.ok(((await page.getByTestId("not-built-lead").textContent()) ?? "").includes("not built yet"));

  // Opened directly by its address, another one says the same.
  await page.goto(`${suite.cordon.baseUrl}/cold-chain`);
  await page.getByTestId("not-built-title").getByText("“Cold chain” is not built yet").waitFor();
  await context.close();
});

test("a citizen who logs in on a phone sees their own record, and no registry of anyone else", async () => {
  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await logIn(page, suite.cordon, "citizen");
  await page.getByTestId("person-detail").waitFor();
  assert.ok(((await page.getByTestId("person-name").textContent()) ?? "").length >= 2);
  assert.equal(await page.getByTestId("pii-audit-notice").textContent(), "查看完整信息已记录审计");
  // On a phone the navigation folds away; opened, it offers the platform but not the registry.
  assert.equal(await page.getByTestId("side-nav").count(), 0);
  await page.getByTestId("nav-toggle").click();
  await page.getByTestId("nav-warning").waitFor();
  assert.equal(await page.getByTestId("nav-quarantine").count(), 0);
  assert.equal(await page.getByTestId("nav-natSample").count(), 0);
  assert.equal(await page.getByTestId("nav-people").count(), 0);
  assert.equal(await page.getByTestId("nav-arrivals").count(), 0);
  assert.equal(await page.getByTestId("nav-regions").count(), 0);
  await page.getByTestId("nav-toggle").click();
  await snapshot(page, "citizen-own-record");
  await context.close();
});
