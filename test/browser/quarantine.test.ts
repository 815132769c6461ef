import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Cordon, launchChromium, logIn, snapshot, startCordon } from "./browser-harness.ts";

// The shipped packs stop in 2022, so the server and the browser both run on a clock that starts on
// 2022-01-05 10:00 Beijing time: Ningxia's winter-spring notice of 2021-12-07 is then in force, and an
// arrival from abroad gets 7 days of centralized quarantine and 7 of home health monitoring.
const START = Date.parse("2022-01-05T10:00:00+08:00");
const XINGQING = "640104";
const SITE = "兴庆区集中隔离点一号（演示）";

let cordon: Cordon;
let browser: Browser;
// Days the test moves the clock on (the server's and, with setSystemTime, the browser's).
let shiftMs = 0;
let wall = 0;
const serverNow = () => new Date(START + (Date.now() - wall) + shiftMs);
before(async () => {
  wall = Date.now();
  cordon = await startCordon(serverNow);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await cordon?.close();
});

async function desk(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  // The browser's "now" (what the forms offer) on the server's clock.
  await context.clock.install({ time: new Date(START) });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

async function chooseOption(page: Page, selectTestId: string, optionTestId: string, search?: string) {
  await page.getByTestId(selectTestId).click();
  if (search !== undefined) await page.getByTestId(selectTestId).locator("input").fill(search);
  const option = page.locator(`[data-testid="${optionTestId}"]:visible`);
  await option.click();
}

// The demo citizen's own person record, placed in the first test and kept out of the second.
let citizenPersonId = "";

test("a citizen in centralized quarantine sees their place on a phone and reports their temperature; a fever is answered at once", async () => {
  const phone = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 390, height: 844 },
  });
  await phone.clock.install({ time: new Date(START) });
  const citizen = await phone.newPage();
  const errors: string[] = [];
  citizen.on("pageerror", (e) => errors.push(e.message));
  await logIn(citizen, cordon, "citizen");
  const me = (await (await citizen.request.get(`${cordon.baseUrl}/api/auth/me`)).json()) as {
    user: { personId: string };
  };
  citizenPersonId = me.user.personId;
  // Not in quarantine: their own page offers no health report.
  await citizen.getByTestId("person-detail").waitFor();
  assert.equal(await citizen.getByTestId("open-health-report").count(), 0);
  await citizen.goto(`${cordon.baseUrl}/me/health`);
  await citizen.getByTestId("me-health-none").waitFor();

  // The command places them (through the API: the placement dialog is the next test's).
  const { context, page } = await desk();
  await logIn(page, cordon, "command");
  const call = async (method: "GET" | "POST", path: string, data?: unknown) => {
    const r = await page.request.fetch(`${cordon.baseUrl}${path}`, {
      method,
      headers: { "X-Cordon-Client": "web" },
      ...(data === undefined ? {} : { data }),
    });
    assert.ok(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  const sites = (await call("GET", "/api/quarantine/sites")) as { items: { id: string; name: string }[] };
  const site = sites.items.find((s) => s.name === "兴庆区集中隔离点二号（演示）");
  assert.ok(site);
  const suggested = (await call("GET", `/api/quarantine/suggestions?siteId=${site.id}&people=1`)) as {
    rooms: { id: string; number: string }[];
  };
  const room = suggested.rooms[0];
  assert.ok(room);
  await call("POST", "/api/quarantine/placements", {
    siteId: site.id,
    roomId: room.id,
    people: [
      { personId: citizenPersonId, arrivalAt: "2022-01-05T08:00:00+08:00", facts: { inboundOverseas: true } },
    ],
  });
  await context.close();

  // Placed: their own page leads to the health report.
  await citizen.goto(`${cordon.baseUrl}/me`);
  await citizen.getByTestId("open-health-report").click();
  await citizen.waitForURL("**/me/health");
  await citizen.getByTestId("me-health-page").waitFor();
  assert.equal(await citizen.getByTestId("me-health-site").textContent(), site.name);
  await citizen
    .locator("input[data-testid=me-temperature], [data-testid=me-temperature] input")
    .first()
    .fill("36.6");
  await citizen.getByTestId("me-report-submit").click();
  await citizen.getByTestId("me-report").first().waitFor();
  assert.equal(await citizen.getByTestId("me-fever").count(), 0);
  await citizen
    .locator("input[data-testid=me-temperature], [data-testid=me-temperature] input")
    .first()
    .fill("37.8");
  await citizen.getByTestId("symptom-dry_cough").click();
  await citizen.getByTestId("me-report-submit").click();
  await citizen.getByTestId("me-fever").waitFor();
  await citizen.getByTestId("me-report").nth(1).waitFor();
  const width = await citizen.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide on a 390px screen`);
  await snapshot(citizen, "quarantine-me-health-phone");
  assert.deepEqual(errors, []);
  await phone.close();
});

test("the command places a household of two in a family suite; a fever raises a red alert; one is released early with a reason and the certificate verifies as valid; the other, negative on both test days, is released on schedule on day 7 and the suite is disinfected", async () => {
  const { context, page, errors } = await desk();
  await logIn(page, cordon, "command");

  // The county capacity table: 兴庆区 is short of the standard without its reserve site and meets it with it.
  await page.getByTestId("nav-quarantine").click();
  await page.waitForURL("**/quarantine");
  const xingqing = page.locator(`[data-testid=capacity-table] tr[data-row-key="${XINGQING}"]`);
  await xingqing.waitFor();
  const shortfall = xingqing.getByTestId("capacity-shortfall");
  assert.ok(Number(await shortfall.getAttribute("data-shortfall")) > 0);
  assert.match((await shortfall.textContent()) ?? "", /^缺 [\d,]+ 间$/);
  await page.getByTestId("capacity-include-reserve").click();
  await xingqing.locator('[data-testid=capacity-shortfall][data-shortfall="0"]').waitFor();
  assert.equal(await shortfall.textContent(), "达标");
  await snapshot(page, "quarantine-capacity");

  // Two people of 兴庆区, from the registry.
  const res = await page.request.get(`${cordon.baseUrl}/api/people?regionCode=${XINGQING}&pageSize=3`);
  assert.ok(res.ok(), await res.text());
  const people = ((await res.json()) as { items: { id: string; name: string }[] }).items
    .filter((p) => p.id !== citizenPersonId)
    .slice(0, 2);
  assert.equal(people.length, 2);
  const [first, second] = people as [{ id: string; name: string }, { id: string; name: string }];

  await page.locator("[data-testid=site-link]").filter({ hasText: SITE }).click();
  await page.getByTestId("site-page").waitFor();
  assert.equal(await page.getByTestId("site-name").textContent(), SITE);

  // Placed together: one household, one family suite (the suggestions put family suites first).
  await page.getByTestId("place-open").click();
  for (const p of [first, second]) {
    await chooseOption(page, "place-people", `place-person-option-${p.id}`, p.name);
  }
  await page.getByTestId("place-room").click();
  const firstSuggestion = page.locator("[data-testid^=place-room-option-]:visible").first();
  await firstSuggestion.waitFor();
  const room = ((await firstSuggestion.getAttribute("data-testid")) ?? "").replace("place-room-option-", "");
  assert.match(room, /^B1\d\d$/, `the first room suggested for two is a family suite: ${room}`);
  await firstSuggestion.click();
  await page.getByTestId("place-category").click();
  await page.locator(".ant-select-item-option:visible").getByText("境外入境人员").click();
  await page.getByTestId("place-arrival").fill("2022-01-05T08:00");
  await snapshot(page, "quarantine-place-dialog");
  await page.getByTestId("place-submit").click();
  await page
    .getByTestId("place-submit")
    .waitFor({ state: "hidden" })
    .catch(async (e: unknown) => {
      const shown = await page
        .locator(".ant-modal .ant-alert, .ant-form-item-explain-error")
        .allTextContents();
      throw new Error(`placement refused: ${shown.join(" ")}`, { cause: e });
    });

  // The board shows the suite occupied by both.
  await page.getByTestId("tab-board").click();
  const tile = page.locator(`[data-testid=board-room][data-number="${room}"]`);
  await tile.waitFor();
  assert.equal(await tile.getAttribute("data-state"), "occupied");
  assert.deepEqual(
    (await tile.getByTestId("board-occupant").allTextContents()).sort(),
    [first.name, second.name].sort(),
  );
  await snapshot(page, "quarantine-board");

  // Both are listed as placed; the first one's timeline opens from the list.
  await page.getByTestId("tab-placements").click();
  const rows = page.locator("[data-testid=placements-table] tr[data-row-key]");
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  await page.locator("[data-testid=placement-link]").filter({ hasText: first.name }).click();
  await page.getByTestId("placement-page").waitFor();
  assert.equal(await page.getByTestId("placement-room").textContent(), room);
  // Seven days of centralized quarantine, then seven of home health monitoring, counted from arrival.
  assert.deepEqual(
    await page.getByTestId("course-phase").evaluateAll((els) => els.map((e) => e.getAttribute("data-phase"))),
    ["centralized_quarantine", "home_health_monitoring"],
  );
  assert.equal(await page.getByTestId("placement-planned-end").textContent(), "2022-01-11");
  // Not releasable on day 1: the conditions not met are listed.
  await page.getByTestId("release-unmet-item").first().waitFor();

  // 38.1 °C is a fever: the alert shows in red.
  await page
    .locator("[data-testid=health-temperature-input] input, input[data-testid=health-temperature-input]")
    .first()
    .fill("38.1");
  await page.getByTestId("health-save").click();
  const fever = page.getByTestId("fever-alert");
  await fever.waitFor();
  assert.ok(((await fever.textContent()) ?? "").includes("38.1"), (await fever.textContent()) ?? "");
  assert.ok(await fever.evaluate((el) => el.classList.contains("ant-alert-error")));
  assert.equal(await page.getByTestId("health-temperature").first().textContent(), "38.1");

  // A negative result for the arrival-day test.
  await page.getByTestId("result-date").fill("2022-01-05");
  await page.getByTestId("result-lab").fill("YC-LAB-2022-0105-001");
  await page.getByTestId("result-save").click();
  await page.locator('[data-testid=result-outcome][data-outcome="negative"]').waitFor();

  // The closed-loop transfer, picked up at the time the form offers (now); shown again after a reload
  // in the browser's time, as entered (not in UTC).
  const offered = await page.getByTestId("transfer-picked-up").inputValue();
  assert.match(offered, /^2022-01-05T10:\d\d$/);
  await page.getByTestId("transfer-vehicle").fill("宁A·D1234 负压转运车");
  await page.getByTestId("transfer-escort").fill("兴庆区疾控 王医生");
  await page.getByTestId("transfer-save").click();
  await page.getByTestId("transfer-recorded").waitFor();
  assert.ok(
    ((await page.getByTestId("transfer-recorded").textContent()) ?? "").includes(offered.replace("T", " ")),
  );
  await page.reload();
  await page.getByTestId("transfer-recorded").waitFor();
  assert.equal(await page.getByTestId("transfer-picked-up").inputValue(), offered);
  await snapshot(page, "quarantine-placement");

  // Released early by the command, with a reason (the schedule's end is days away).
  await page.getByTestId("release-early-open").click();
  await page.getByTestId("release-reason").fill("经专家组评估，转居家隔离（演示）");
  await page.getByTestId("release-early-confirm").click();
  await page.getByTestId("release-done").waitFor();
  assert.equal(await page.getByTestId("placement-status").getAttribute("data-status"), "released");
  assert.ok(((await page.getByTestId("release-done").textContent()) ?? "").includes("提前解除"));
  await snapshot(page, "quarantine-released");

  // The certificate is a PDF.
  const pdfHref = (await page.getByTestId("certificate-link").getAttribute("href")) ?? "";
  const pdf = await page.request.get(`${cordon.baseUrl}${pdfHref}`);
  assert.equal(pdf.status(), 200, await pdf.text());
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.equal((await pdf.body()).subarray(0, 5).toString(), "%PDF-");

  // Anyone may verify it, without logging in.
  const verifyHref = (await page.getByTestId("verify-link").getAttribute("href")) ?? "";
  assert.match(verifyHref, /^\/verify\/[0-9a-f-]{36}$/);
  const phone = await browser.newContext({ locale: "zh-CN", viewport: { width: 390, height: 844 } });
  const checkpoint = await phone.newPage();
  await checkpoint.goto(`${cordon.baseUrl}${verifyHref}`);
  const status = checkpoint.getByTestId("verify-status");
  await status.waitFor();
  assert.equal(await status.getAttribute("data-valid"), "true");
  assert.equal(await status.textContent(), "证明有效");
  const masked = (await checkpoint.getByTestId("verify-name").textContent()) ?? "";
  assert.notEqual(masked, first.name);
  assert.ok(masked.includes("*"), masked);
  await snapshot(checkpoint, "quarantine-verify-phone");
  // A made-up id is not valid.
  await checkpoint.goto(`${cordon.baseUrl}/verify/00000000-0000-4000-8000-000000000000`);
  await checkpoint.locator('[data-testid=verify-status][data-valid="false"]').waitFor();
  await phone.close();

  // The site's day: the fever is among the alerts; the room is still occupied by the second person.
  await page.goto(`${cordon.baseUrl}/quarantine`);
  await page.locator("[data-testid=site-link]").filter({ hasText: SITE }).click();
  const alert = page.getByTestId("today-alerts-item").filter({ hasText: first.name });
  await alert.waitFor();
  assert.ok(((await alert.textContent()) ?? "").includes("38.1"));
  await snapshot(page, "quarantine-site-today");

  // Six days on, on the last day of centralized quarantine: with negative results on both test days
  // the second person is releasable, and is released on schedule.
  shiftMs = 6 * 24 * 3600_000;
  await context.clock.setSystemTime(serverNow());
  // The session has long expired by then: the staff on duty log in again.
  await logIn(page, cordon, "command");
  await page.goto(`${cordon.baseUrl}/quarantine`);
  // The morning report on the sites table: the second person's test days with no result yet are missed.
  const today = page
    .locator("[data-testid=sites-table] tr")
    .filter({ hasText: SITE })
    .getByTestId("site-today");
  await today.waitFor();
  assert.ok(Number(await today.getAttribute("data-missed")) >= 2, "test days with no result show as missed");
  await page.locator("[data-testid=site-link]").filter({ hasText: SITE }).click();
  await page.getByTestId("tab-placements").click();
  await page.locator("[data-testid=placement-link]").filter({ hasText: second.name }).click();
  await page.getByTestId("placement-page").waitFor();
  await page.getByTestId("release-unmet-item").first().waitFor();
  for (const [day, lab] of [
    ["2022-01-05", "YC-LAB-2022-0105-002"],
    ["2022-01-09", "YC-LAB-2022-0109-002"],
  ] as const) {
    await page.getByTestId("result-date").fill(day);
    await page.getByTestId("result-lab").fill(lab);
    await page.getByTestId("result-save").click();
    await page.locator(`[data-testid=results-table] tr`).filter({ hasText: lab }).waitFor();
  }
  await page.getByTestId("release-releasable").waitFor();
  assert.equal(await page.getByTestId("release-unmet-item").count(), 0);
  await snapshot(page, "quarantine-releasable");
  await page.getByTestId("release-on-schedule").click();
  await page.getByTestId("release-done").waitFor();
  assert.ok(((await page.getByTestId("release-done").textContent()) ?? "").includes("2022-01-11"));
  await page.getByTestId("certificate-link").waitFor();

  // The suite, empty now, is disinfected and then free again, in English this time.
  await page.getByTestId("language-en").click();
  await page.getByRole("link", { name: SITE }).click();
  await page.getByTestId("tab-board").click();
  await page.getByTestId("board-filter").getByText("Cleaning 1").waitFor();
  const suite = page.locator(`[data-testid=board-room][data-number="${room}"]`);
  assert.equal(await suite.getAttribute("data-state"), "cleaning");
  await suite.click();
  await page.getByTestId("room-to-free").click();
  await page.locator(`[data-testid=board-room][data-number="${room}"][data-state="free"]`).waitFor();
  await snapshot(page, "quarantine-board-en");
  assert.deepEqual(errors, []);
  await context.close();
});
