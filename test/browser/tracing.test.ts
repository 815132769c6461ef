import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { makeResidentId } from "../../packages/domain/src/people/resident-id.ts";
import {
  type Cordon,
  launchChromium,
  logIn,
  snapshot,
  startCordon,
  apiCall as harnessCall,
  apiSession as harnessSession,
} from "./browser-harness.ts";

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

/** A datetime-local value in Beijing time, `hoursAgo` before now (the browser runs in Asia/Shanghai). */
const beijingLocal = (hoursAgo: number) =>
  new Date(serverNow().getTime() - hoursAgo * HOUR + 8 * HOUR).toISOString().slice(0, 16);

const apiSession = (username: string, password?: string) => harnessSession(suite.cordon, username, password);
const apiCall = (cookie: string, method: "GET" | "POST", path: string, body?: unknown) =>
  harnessCall(suite.cordon, cookie, method, path, body);

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

// 同心县 (Wuzhong), outside the Yinchuan investigator's jurisdiction; 富兴社区 is one of its communities.
const TONGXIN = "640324";
const FUXING = "640324100001";
const TONGXIN_USER = "tongxin.command";
const TONGXIN_PASSWORD = "Tongxin-Command-2022!";

test("the itinerary proposes the residence a high-risk area and a restaurant a medium-risk one, which the command confirms; a passenger living in 同心县 is forwarded there as an assist request", async () => {
  const { cordon, browser } = suite;
  const admin = await apiSession("admin");
  const person = async (name: string, i: number, community: string) => {
    const r = await apiCall(admin, "POST", "/api/people", {
      name,
      documentType: "resident_id",
      documentNumber: makeResidentId(community.slice(0, 6), `197${i}-0${i}-2${i}`, 830 + i),
      phone: `1399513${String(4000 + i)}`,
      currentRegionCode: community,
      currentAddress: `富兴路${i}号`,
    });
    return { id: (r.person?.id ?? r.id) as string, name };
  };
  const patient = await person("行程甲", 4, COMMUNITY);
  // Works in Yinchuan (the registry's address, so the investigator finds him), lives in 同心县.
  const passenger = await person("行程乙", 5, WORKPLACE);
  await apiCall(admin, "POST", "/api/users", {
    username: TONGXIN_USER,
    displayName: "同心县疫情防控指挥部",
    role: "command",
    jurisdictionCode: TONGXIN,
    password: TONGXIN_PASSWORD,
  });
  // A case reported by a fever clinic: ill since yesterday, confirmed an hour ago.
  const investigator = await apiSession("investigator");
  const yesterday = new Date(serverNow().getTime() - 16 * HOUR + 8 * HOUR).toISOString().slice(0, 10);
  const created = await apiCall(investigator, "POST", "/api/tracing/cases", {
    personId: patient.id,
    classification: "confirmed_mild",
    foundBy: "fever_clinic",
    source: "local",
    onsetDate: yesterday,
    reportedAt: new Date(serverNow().getTime() - 2 * HOUR).toISOString(),
    confirmedAt: new Date(serverNow().getTime() - HOUR).toISOString(),
  });
  const caseId = created.id as string;

  const context = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  await context.clock.install({ time: serverNow() });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await logIn(page, cordon, "investigator");
  await page.goto(`${cordon.baseUrl}/tracing/cases/${caseId}`);
  await page.getByTestId("stay-form").waitFor();

  // 1. The stays: home for the past week, a hot-pot restaurant the evening before last.
  await pickRegion(page, "stay-region", COMMUNITY);
  await page.getByTestId("stay-place").fill("崇安巷小区2号楼");
  await page.getByTestId("stay-from").fill(beijingLocal(7 * 24));
  await page.getByTestId("stay-to").fill(beijingLocal(2));
  await page.getByTestId("stay-submit").click();
  await page.locator('[data-testid=stay-row][data-kind="residence"]').waitFor();

  await chooseOption(page, "stay-kind", "活动场所");
  await pickRegion(page, "stay-region", WORKPLACE);
  await page.getByTestId("stay-place").fill("老码头火锅店");
  await page.getByTestId("stay-from").fill(beijingLocal(40));
  await page.getByTestId("stay-to").fill(beijingLocal(38));
  await page.getByTestId("stay-submit").click();
  await page.locator('[data-testid=stay-row][data-kind="activity"]').waitFor();
  assert.deepEqual(await page.getByTestId("stay-place-name").allTextContents(), [
    "崇安巷小区2号楼",
    "老码头火锅店",
  ]);
  assert.equal(await page.getByTestId("stay-refusal").count(), 0);

  // 2. The proposals: the residence high-risk, the restaurant medium-risk, each explained.
  const proposal = page.getByTestId("area-proposal-item");
  await page.locator('[data-testid=area-proposal-item][data-kind="medium"]').waitFor();
  assert.deepEqual(await proposal.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind"))), [
    "high",
    "medium",
  ]);
  assert.equal(
    await proposal.first().getByTestId("proposal-explanation").textContent(),
    "建议划为高风险区：病例居住地「崇安巷小区2号楼」",
  );
  assert.match((await page.getByTestId("proposals-basis").textContent()) ?? "", /national-9th-edition/);
  await page.getByTestId("proposals-submit").click();
  await page.locator('[data-testid=area-proposal-item][data-status="submitted"]').nth(1).waitFor();

  // 3. A passenger in the case's car yesterday morning lives in 同心县: forwarded on classifying.
  await pickPerson(page, passenger.name, passenger.id);
  await chooseOption(page, "exposure-setting", "同乘交通工具");
  await page.getByTestId("exposure-at").fill(beijingLocal(26));
  await page.getByTestId("exposure-until").fill(beijingLocal(25));
  await page.getByTestId("exposure-place").fill("宁C·12345 小客车");
  await pickRegion(page, "exposure-region", FUXING);
  await page.getByTestId("exposure-submit").click();
  await page.getByTestId("itinerary-row").first().waitFor();
  await page.getByTestId("classify").click();
  const row = page.locator(`[data-testid=contact][data-person="${passenger.id}"]`);
  const sent = row.getByTestId("contact-assist-sent");
  await sent.waitFor();
  assert.equal(await attr(row, "data-kind"), "close");
  assert.equal(await attr(sent, "data-region"), TONGXIN);
  assert.equal(await sent.textContent(), "协查已发：同心县");
  await snapshot(page, "tracing-stays");

  // 4. In English.
  await page.getByTestId("language-en").click();
  await sent.getByText("Assist request sent: 同心县").waitFor();
  await page.getByText("Risk-area proposals").waitFor();
  assert.match(
    (await proposal.first().getByTestId("proposal-explanation").textContent()) ?? "",
    /^proposed high-risk area: where the case lives \(崇安巷小区2号楼\)$/,
  );
  assert.equal(
    await proposal.first().getByTestId("proposal-status").textContent(),
    "Submitted, awaiting the command",
  );
  await snapshot(page, "tracing-stays-en");
  assert.deepEqual(errors, []);
  await context.close();

  // 5. The command sees both on the risk-area page and designates the residence.
  const commandContext = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  await commandContext.clock.install({ time: serverNow() });
  const c = await commandContext.newPage();
  await logIn(c, cordon, "command");
  await c.getByTestId("nav-riskAreas").click();
  await c.waitForURL("**/risk-areas");
  const waiting = c.getByTestId("itinerary-proposal");
  await waiting.nth(1).waitFor();
  assert.deepEqual(await waiting.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind"))), [
    "high",
    "medium",
  ]);
  assert.equal(
    await waiting.first().getByTestId("itinerary-proposal-explanation").textContent(),
    "建议划为高风险区：病例居住地「崇安巷小区2号楼」",
  );
  await waiting.first().getByTestId("itinerary-proposal-confirm").click();
  assert.equal(await c.getByTestId("itinerary-proposal-reason").inputValue(), "病例居住地");
  await c.getByTestId("itinerary-proposal-decide").click();
  await c.waitForFunction(
    (code) =>
      [...document.querySelectorAll(`tr:has([data-code="${code}"]) [data-testid="area-kind"]`)].some(
        (e) => e.getAttribute("data-kind") === "high",
      ),
    COMMUNITY,
  );
  await c.locator('[data-testid=itinerary-proposal][data-kind="high"]').waitFor({ state: "detached" });
  assert.equal(await waiting.count(), 1);
  await snapshot(c, "tracing-proposals-command");
  await commandContext.close();

  // 6. 同心县's command sees the assist list with the passenger on its assist-lists page.
  const tongxinContext = await browser.newContext({
    locale: "en",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  // Signed in through the API (the session cookie), as the assist-lists page is what is shown here.
  const cookie = await apiSession(TONGXIN_USER, TONGXIN_PASSWORD);
  const eq = cookie.indexOf("=");
  await tongxinContext.addCookies([
    { name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: cordon.baseUrl },
  ]);
  const g = await tongxinContext.newPage();
  await g.goto(`${cordon.baseUrl}/`);
  await g.getByTestId("logout").waitFor();
  await g.getByTestId("nav-assistLists").click();
  await g.waitForURL("**/assist-lists");
  const link = g.getByTestId("assist-list-link");
  await link.waitFor();
  assert.equal(await link.count(), 1);
  assert.match((await link.textContent()) ?? "", /流调协查/);
  await link.click();
  const assistRow = g.locator('[data-testid="assist-row"]');
  await assistRow.waitFor();
  assert.equal(await assistRow.count(), 1);
  assert.ok(((await assistRow.textContent()) ?? "").includes(passenger.name));
  assert.equal(await assistRow.getByTestId("row-state").getAttribute("data-state"), "dispatched");
  await snapshot(g, "tracing-assist-received-en");
  await tongxinContext.close();
});
