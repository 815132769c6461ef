import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { makeResidentId } from "../../packages/domain/src/people/resident-id.ts";
import { type Cordon, launchChromium, logIn, snapshot, startCordon } from "./browser-harness.ts";

// 兴庆区 (Yinchuan): a screening round over a township finds a positive single tube. The demo
// investigator (银川市流调员) opens the case; no pack carries a `tracing` block, so seed 000's clocks
// apply (2 h on site) and the contacts' loop must close within 48 h of the confirmation.
const TOWNSHIP = "640104001";
const COMMUNITY = "640104001002";
const WORKPLACE = "640104001003";
const LAB_USER = "yinchuan.tracing.lab";
const LAB_PASSWORD = "Yinchuan-Lab-2022!";
const BARCODE = "YC-TR-0001";
const HOUR = 3_600_000;
// The shipped packs stop in 2022 (a contact's quarantine is decided by the pack in force), so the
// server and the browser run on a clock that starts on 2022-07-20 10:00 Beijing time, when the national
// 9th edition is in force in Ningxia (close contacts 7 days centralized + 3 at home).
const START = Date.parse("2022-07-20T10:00:00+08:00");

let wall = 0;
const serverNow = () => new Date(START + (Date.now() - wall));
const suite = {} as { cordon: Cordon; browser: Browser };
before(async () => {
  wall = Date.now();
  suite.cordon = await startCordon(serverNow);
  suite.browser = await launchChromium();
});
after(async () => {
  await suite.browser?.close();
  await suite.cordon?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
type Json = any;

async function apiSession(username: string, password = suite.cordon.password(username)): Promise<string> {
  const res = await fetch(`${suite.cordon.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-cordon-client": "test" },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, await res.text());
  return res.headers.getSetCookie()[0]!.split(";")[0]!;
}

async function apiCall(cookie: string, method: "GET" | "POST", path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${suite.cordon.baseUrl}${path}`, {
    method,
    headers: {
      cookie,
      ...(method === "POST" ? { "x-cordon-client": "test" } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A datetime-local value in Beijing time, `hoursAgo` before now (the browser runs in Asia/Shanghai). */
const beijingLocal = (hoursAgo: number) =>
  new Date(serverNow().getTime() - hoursAgo * HOUR + 8 * HOUR).toISOString().slice(0, 16);

async function chooseOption(page: Page, selectTestId: string, text: string): Promise<void> {
  await page.getByTestId(selectTestId).click();
  const option = page.locator(".ant-select-item-option:visible").filter({ hasText: text });
  await option.click();
  await option.waitFor({ state: "hidden" });
}

async function pickPerson(page: Page, name: string, id: string): Promise<void> {
  await page.getByTestId("exposure-person").click();
  await page.getByTestId("exposure-person").locator("input").fill(name);
  const option = page.locator(`[data-testid="exposure-person-option-${id}"]:visible`);
  await option.click();
  await option.waitFor({ state: "hidden" });
}

async function pickRegion(page: Page, testId: string, code: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByTestId(testId).locator("input").fill(code);
  const option = page.locator(`[data-testid="region-option-${code}"]:visible`);
  await option.click();
  await option.waitFor({ state: "hidden" });
}

const attr = async (l: Locator, name: string) => (await l.getAttribute(name)) ?? "";

test("a positive single tube opens a case whose clocks run; a household member and his workmate become close and secondary contacts, each verified, transferred, tested and isolated within 48 h", async () => {
  const { cordon, browser } = suite;
  // The scene, through the API: three people of the registry, a screening round, the patient's
  // single tube positive at a Yinchuan lab.
  const admin = await apiSession("admin");
  const person = async (name: string, i: number, community: string) => {
    const r = await apiCall(admin, "POST", "/api/people", {
      name,
      documentType: "resident_id",
      documentNumber: makeResidentId("640104", `198${i}-0${i + 1}-1${i}`, 810 + i),
      phone: `1399512${String(3000 + i)}`,
      currentRegionCode: community,
      currentAddress: `崇安巷${i + 1}号`,
    });
    return { id: (r.person?.id ?? r.id) as string, name };
  };
  const patient = await person("流调甲", 1, COMMUNITY);
  const household = await person("流调乙", 2, COMMUNITY);
  const workmate = await person("流调丙", 3, WORKPLACE);
  await apiCall(admin, "POST", "/api/users", {
    username: LAB_USER,
    displayName: "银川市核酸检测实验室（流调）",
    role: "lab",
    jurisdictionCode: "640100",
    password: LAB_PASSWORD,
  });
  const command = await apiSession("command");
  const point = await apiCall(command, "POST", "/api/nat/sampling-points", {
    name: "崇安社区采样点（流调测试）",
    address: "崇安巷1号",
    regionCode: TOWNSHIP,
    hours: "00:00-23:59",
    desks: 2,
    capacityPerHour: 120,
  });
  const campaign = await apiCall(command, "POST", "/api/nat/campaigns", {
    name: "崇安社区区域核酸（流调测试）",
    kind: "designated_area",
    regionCodes: [TOWNSHIP],
    startsAt: serverNow().toISOString(),
    rounds: 1,
  });
  const grid = await apiSession("grid");
  await apiCall(grid, "POST", "/api/nat/tubes", {
    barcode: BARCODE,
    roundId: campaign.roundList[0].id,
    samplingPointId: point.id,
    person: { personId: patient.id },
    size: 1,
  });
  await apiCall(grid, "POST", `/api/nat/tubes/${BARCODE}/seal`);
  const lab = await apiSession(LAB_USER, LAB_PASSWORD);
  const result = await apiCall(lab, "POST", "/api/nat/lab-results", {
    results: [
      {
        barcode: BARCODE,
        result: "positive",
        ct: { orf1ab: 24.1, n: 22.7 },
        testedAt: serverNow().toISOString(),
        lab: "银川市核酸检测实验室",
      },
    ],
  });
  assert.equal(result.caseCandidates, 1);

  const context = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  // The browser's "now" (what the forms offer, what the clocks count from) on the server's clock.
  await context.clock.install({ time: serverNow() });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await logIn(page, cordon, "investigator");

  // 1. The positive result waits on the cases page; one click opens its case.
  await page.getByTestId("nav-investigations").click();
  await page.waitForURL("**/tracing");
  const candidate = page.locator(`[data-testid=candidate][data-person="${patient.id}"]`);
  await candidate.waitFor();
  assert.ok(((await candidate.textContent()) ?? "").includes(BARCODE));
  await candidate.getByTestId("candidate-open").click();
  await page.getByTestId("case-submit").click();
  await page.waitForURL("**/tracing/cases/*");
  const caseId = page.url().split("/").pop()!;
  assert.match(caseId, /^[0-9a-f-]{36}$/);
  assert.equal(await page.getByTestId("case-name").textContent(), patient.name);

  // 2. The clocks run: the on-site countdown ticks down in seconds, within 2 hours.
  const onSite = page.getByTestId("clock-onSite");
  await onSite.waitFor();
  assert.equal(await attr(onSite, "data-state"), "pending");
  const first = Number(await attr(onSite, "data-remaining"));
  assert.ok(first > 1.9 * 3600 && first <= 2 * 3600, `on site due in ${first} s`);
  await page.waitForFunction(
    (before) =>
      Number(document.querySelector("[data-testid=clock-onSite]")?.getAttribute("data-remaining")) < before,
    first,
  );
  assert.match((await onSite.getByTestId("clock-text").textContent()) ?? "", /^剩余 1小时\d+分\d{2}秒$/);
  assert.equal(await page.getByTestId("clock-closed").getAttribute("data-state"), "pending");

  // 3. The investigator is on site.
  await page.getByTestId("milestone-record-onSite").click();
  await page.locator('[data-testid=clock-onSite][data-state="done_on_time"]').waitFor();
  assert.equal(await page.getByTestId("milestone-record-onSite").count(), 0);

  // 4. The itinerary and exposures: the patient cannot expose himself (refused, nothing kept); his
  // household member at home last night.
  await pickPerson(page, patient.name, patient.id);
  await page.getByTestId("exposure-at").fill(beijingLocal(8));
  await page.getByTestId("exposure-submit").click();
  const refusal = page.getByTestId("exposure-refusal");
  await refusal.waitFor();
  assert.equal(await attr(refusal, "data-code"), "exposure.self");
  assert.equal(await page.getByTestId("itinerary-row").count(), 0);

  await pickPerson(page, household.name, household.id);
  await page.getByTestId("exposure-at").fill(beijingLocal(8));
  await page.getByTestId("exposure-until").fill(beijingLocal(5));
  await page.getByTestId("exposure-place").fill("崇安巷2号 家中");
  await pickRegion(page, "exposure-region", COMMUNITY);
  await page.getByTestId("exposure-submit").click();
  await page.getByTestId("itinerary-row").first().waitFor();
  assert.equal(await page.getByTestId("itinerary-place").first().textContent(), "崇安巷2号 家中");
  assert.equal(await page.getByTestId("exposure-refusal").count(), 0);

  // 5. Classify: the household member is a close contact, with the rule.
  await page.getByTestId("classify").click();
  const close = page.locator(`[data-testid=contact][data-person="${household.id}"]`);
  await close.waitFor();
  assert.equal(await attr(close, "data-kind"), "close");
  assert.equal(await close.getByTestId("contact-reason").textContent(), "密切接触者：同住家庭成员");
  assert.equal(await close.getByTestId("contact-via").textContent(), patient.name);

  // 6. The household member's workmate, in the same office this morning: searched from him.
  await chooseOption(page, "exposure-source", `密接 ${household.name}`);
  await pickPerson(page, workmate.name, workmate.id);
  await chooseOption(page, "exposure-setting", "同办公室");
  await chooseOption(page, "exposure-proximity", "同一室内空间");
  await page.getByTestId("exposure-at").fill(beijingLocal(3));
  await page.getByTestId("exposure-until").fill(beijingLocal(1));
  await page.getByTestId("exposure-place").fill("新华东街88号 办公室");
  await pickRegion(page, "exposure-region", WORKPLACE);
  await page.getByTestId("exposure-submit").click();
  await page.getByTestId("itinerary-row").nth(1).waitFor();
  assert.deepEqual(await page.getByTestId("itinerary-place").allTextContents(), [
    "崇安巷2号 家中",
    "新华东街88号 办公室",
  ]);
  await page.getByTestId("classify").click();
  const secondary = page.locator(`[data-testid=contact][data-person="${workmate.id}"]`);
  await secondary.waitFor();
  assert.equal(await attr(secondary, "data-kind"), "secondary");
  assert.equal(await secondary.getByTestId("contact-via").textContent(), household.name);
  assert.ok(((await secondary.getByTestId("contact-reason").textContent()) ?? "").length > 0);
  assert.equal(await page.getByTestId("contact").count(), 2);

  // 7. Both are placed in quarantine (the site's staff, through the API); the investigator records
  // each one's four steps, the last linking the placement.
  const site = await apiCall(admin, "POST", "/api/quarantine/sites", {
    kind: "centralized",
    name: "兴庆区集中隔离点（流调测试）",
    address: "丽景街1号",
    regionCode: "640104",
  });
  for (const [p, kind] of [
    [household, "close"],
    [workmate, "secondary"],
  ] as const) {
    await apiCall(admin, "POST", "/api/quarantine/placements", {
      siteId: site.id,
      people: [
        { personId: p.id, facts: { contacts: [{ kind, lastExposureAt: serverNow().toISOString() }] } },
      ],
    });
  }
  for (const row of [close, secondary]) {
    for (const s of ["verify", "transfer", "test"]) {
      await row.getByTestId(`step-${s}`).click();
      await row.locator(`[data-testid=step-${s}][data-done="true"]`).waitFor();
    }
    await row.getByTestId("step-isolate").click();
    await page.getByTestId("isolate-submit").click();
    await row.locator('[data-testid=step-isolate][data-done="true"]').waitFor();
    await row.getByTestId("contact-placement").waitFor();
    assert.equal(await row.getByTestId("contact-loop-state").getAttribute("data-state"), "on_time");
    const loopMs = Number(await row.getByTestId("contact-loop-time").getAttribute("data-loop-ms"));
    assert.ok(loopMs > 0 && loopMs < 48 * HOUR, `loop closed in ${loopMs} ms`);
    assert.match((await row.getByTestId("contact-loop-time").textContent()) ?? "", /闭环（时限 48 小时）$/);
  }
  const closed = page.getByTestId("loop-closed");
  await closed.waitFor();
  assert.equal(await attr(closed, "data-within"), "true");
  assert.match((await closed.textContent()) ?? "", /在 48 小时内$/);
  await snapshot(page, "tracing-case");

  // 8. In English.
  await page.getByTestId("language-en").click();
  await close.getByTestId("contact-kind").getByText("Close contact").waitFor();
  assert.equal(await secondary.getByTestId("contact-kind").textContent(), "Secondary contact");
  assert.match((await close.getByTestId("contact-reason").textContent()) ?? "", /household member/);
  assert.match((await closed.textContent()) ?? "", /within 48 h$/);
  await page.getByText("Investigation clocks").waitFor();
  await snapshot(page, "tracing-case-en");

  // 9. The case on the cases board, its on-site clock done, nothing overdue.
  await page.getByTestId("nav-investigations").click();
  const row = page.locator(`[data-testid=case-row][data-id="${caseId}"]`);
  await row.waitFor();
  assert.equal(await attr(row, "data-overdue"), "false");
  assert.equal(await row.getByTestId("clock-onSite").getAttribute("data-state"), "done_on_time");
  assert.equal(await row.getByTestId("clock-preliminary").getAttribute("data-overdue"), "false");
  assert.equal(await page.locator(`[data-testid=candidate][data-person="${patient.id}"]`).count(), 0);
  await snapshot(page, "tracing-cases-en");
  assert.deepEqual(errors, []);
  await context.close();
});
