import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { type Cordon, launchChromium, logIn, snapshot, startCordon } from "./browser-harness.ts";

let cordon: Cordon;
let browser: Browser;

before(async () => {
  cordon = await startCordon();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cordon?.close();
});

test("a capability that is not built yet says so plainly, in the user's language, with no made-up data", async () => {
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await logIn(page, cordon, "grid");

  // Every part of the platform is in the navigation, built or not.
  for (const key of ["regions", "people", "arrivals", "quarantine", "testing", "investigations", "command"]) {
    assert.equal(await page.getByTestId(`nav-${key}`).count(), 1, `nav-${key}`);
  }
  // A grid worker does not manage users nor read the audit log.
  assert.equal(await page.getByTestId("nav-users").count(), 0);
  assert.equal(await page.getByTestId("nav-audit").count(), 0);

  await page.getByTestId("nav-quarantine").click();
  await page.waitForURL("**/quarantine");
  const title = page.getByTestId("not-built-title");
  assert.equal(await title.textContent(), "“隔离”功能尚未建成");
  assert.ok(((await page.getByTestId("not-built-description").textContent()) ?? "").includes("集中隔离"));
  const notBuilt = page.getByTestId("not-built");
  assert.equal(await notBuilt.locator("canvas, table, .ant-statistic").count(), 0);
  await snapshot(page, "not-built-zh");

  await page.getByTestId("language-en").click();
  await title.getByText("“Quarantine” is not built yet").waitFor();
  assert.ok(((await page.getByTestId("not-built-lead").textContent()) ?? "").includes("not built yet"));

  // Opened directly by its address, another one says the same.
  await page.goto(`${cordon.baseUrl}/cold-chain`);
  await page.getByTestId("not-built-title").getByText("“Cold chain” is not built yet").waitFor();
  await context.close();
});
