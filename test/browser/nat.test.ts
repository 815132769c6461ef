import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { makeResidentId } from "../../packages/domain/src/people/resident-id.ts";
import {
  browserSuite,
  logIn,
  snapshot,
  apiCall as harnessCall,
  apiSession as harnessSession,
} from "./browser-harness.ts";

const suite = browserSuite();

// A designated-area campaign over a township of Xingqing district (兴庆区, the demo grid worker's
// jurisdiction, inside the command's Ningxia): people of two of its communities are sampled at a desk.
const TOWNSHIP = "640104001";
const COMMUNITY_A = "640104001002";
const COMMUNITY_B = "640104001003";
const POINT = "胜利街广场核酸采样点（测试）";
const CAMPAIGN = "胜利街区域核酸（测试）";
// A lab in Yinchuan (the demo lab is Taiyuan's, whose jurisdiction holds no tube of this township).
const LAB_USER = "yinchuan.lab";
const LAB_PASSWORD = "Yinchuan-Lab-2022!";
const T1 = "YC-T1-0001";
const T2 = "YC-T2-0002";

interface Person {
  id: string;
  name: string;
  documentNumber: string;
  community: string;
}

const apiSession = (username: string, password?: string) => harnessSession(suite.cordon, username, password);
const apiCall = (cookie: string, method: "GET" | "POST", path: string, body?: unknown) =>
  harnessCall(suite.cordon, cookie, method, path, body);

async function pickRegion(page: Page, testId: string, code: string): Promise<void> {
  await page.getByTestId(testId).click();
  // Filled at once: typed key by key, a slow machine can search a part of the code first.
  await page.getByTestId(testId).locator("input").fill(code);
  const option = page.locator(`[data-testid="region-option-${code}"]:visible`);
  await option.click();
  await option.waitFor({ state: "hidden" });
}

async function chooseOption(page: Page, selectTestId: string, text: string): Promise<void> {
  await page.getByTestId(selectTestId).click();
  const option = page.locator(".ant-select-item-option:visible").filter({ hasText: text });
  await option.click();
  await option.waitFor({ state: "hidden" });
}

/** Scans a person at the desk and waits until the tube shows them. */
async function scanIn(page: Page, p: Person, n: number): Promise<void> {
  await page.getByTestId("sample-person").fill(p.documentNumber);
  await page.getByTestId("sample-person").press("Enter");
  await page.locator(`[data-testid=tube-fill][data-n="${n}"]`).waitFor();
  assert.equal(await page.getByTestId("sample-person").inputValue(), "");
}

test("a campaign over a township, sampling at a desk on a phone, a result file with one positive pool: the pool's members are on the recall list with their communities", async () => {
  const { cordon, browser } = suite;
  // The registry: four people of one community and four of the next, registered by the district.
  const admin = await apiSession("admin");
  const people: Person[] = [];
  for (let i = 0; i < 8; i++) {
    const community = i < 4 ? COMMUNITY_A : COMMUNITY_B;
    const name = `核检${"甲乙丙丁戊己庚辛"[i]}`;
    const documentNumber = makeResidentId("640104", `198${i}-0${(i % 9) + 1}-1${i}`, 700 + i);
    const created = await apiCall(admin, "POST", "/api/people", {
      name,
      documentType: "resident_id",
      documentNumber,
      phone: `1399511${String(2000 + i)}`,
      currentRegionCode: community,
      currentAddress: `胜利街${i + 1}号`,
    });
    people.push({ id: created.person?.id ?? created.id, name, documentNumber, community });
  }
  await apiCall(admin, "POST", "/api/users", {
    username: LAB_USER,
    displayName: "银川市核酸检测实验室",
    role: "lab",
    jurisdictionCode: "640100",
    password: LAB_PASSWORD,
  });
  const communityName = async (code: string) =>
    (await apiCall(admin, "GET", `/api/regions/${code}`)).region.name as string;
  const names: Record<string, string> = {
    [COMMUNITY_A]: await communityName(COMMUNITY_A),
    [COMMUNITY_B]: await communityName(COMMUNITY_B),
  };

  // 1. The command registers the sampling point and opens the campaign over the township.
  const desk = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  const page = await desk.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await logIn(page, cordon, "command");
  await page.getByTestId("nav-natCampaigns").click();
  await page.waitForURL("**/nat/campaigns");
  await page.getByTestId("point-create").click();
  await page.getByTestId("point-name").fill(POINT);
  await page.getByTestId("point-address").fill("胜利街12号广场");
  await pickRegion(page, "point-region", TOWNSHIP);
  await page.getByTestId("point-submit").click();
  await page.getByTestId("point-row-name").filter({ hasText: POINT }).waitFor();

  await page.getByTestId("campaign-create").click();
  await page.getByTestId("campaign-name").fill(CAMPAIGN);
  await pickRegion(page, "campaign-region-picker", TOWNSHIP);
  await page.locator(`[data-testid=campaign-region][data-code="${TOWNSHIP}"]`).waitFor();
  await page.getByTestId("campaign-submit").click();
  // The deadline is the policy's: a designated area within 24 h (Guideline v3).
  const created = page.getByTestId("campaign-created-deadline");
  await created.waitFor();
  assert.equal(await created.getAttribute("data-hours"), "24");
  assert.match((await created.textContent()) ?? "", /^每轮须在 24 小时内完成/);
  const link = page.getByTestId("campaign-link").filter({ hasText: CAMPAIGN });
  const campaignId = (await link.getAttribute("data-id")) ?? "";
  assert.match(campaignId, /^[0-9a-f-]{36}$/);
  await snapshot(page, "nat-campaigns");

  // 2. The grid worker samples at the desk, on a phone.
  const phone = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 390, height: 844 },
  });
  const sampler = await phone.newPage();
  sampler.on("pageerror", (e) => errors.push(e.message));
  await logIn(sampler, cordon, "grid");
  await sampler.getByTestId("nav-toggle").click();
  await sampler.getByTestId("nav-natSample").click();
  await sampler.waitForURL("**/nat/sample");
  await chooseOption(sampler, "sample-point", POINT);
  await chooseOption(sampler, "sample-campaign", CAMPAIGN);
  await sampler.locator('[data-testid=sample-round][data-round="1"]').waitFor();

  // The first tube: new until its first person decides its size (outside every zone: 10-in-1).
  await sampler.getByTestId("sample-barcode").fill(T1);
  await sampler.getByTestId("sample-barcode").press("Enter");
  await sampler.getByTestId("sample-tube-new").waitFor();
  const pool = [people[0]!, people[1]!, people[4]!, people[5]!];
  for (const [i, p] of pool.entries()) await scanIn(sampler, p, i + 1);
  assert.equal(await sampler.getByTestId("sample-tube-size").getAttribute("data-size"), "10");
  assert.equal(await sampler.getByTestId("tube-fill").textContent(), "4 / 10");
  await snapshot(sampler, "nat-sampler-phone");
  const width = await sampler.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the sampler page is ${width}px wide on a 390px screen`);
  await sampler.getByTestId("sample-seal").click();
  await sampler.locator(`[data-testid=sample-sealed][data-barcode="${T1}"][data-n="4"]`).waitFor();

  // The second tube; a person of the first tube scanned into it is refused, naming the first tube,
  // and what was typed stays.
  await sampler.getByTestId("sample-barcode").fill(T2);
  await sampler.getByTestId("sample-barcode").press("Enter");
  await sampler.getByTestId("sample-tube-new").waitFor();
  await scanIn(sampler, people[2]!, 1);
  await sampler.getByTestId("sample-person").fill(people[0]!.documentNumber);
  await sampler.getByTestId("sample-person-add").click();
  const refusal = sampler.getByTestId("sample-refusal");
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute("data-code"), "nat.person_already_sampled");
  const said = (await refusal.textContent()) ?? "";
  assert.ok(said.includes(T1) && said.includes("本轮已采样"), said);
  assert.equal(await sampler.getByTestId("sample-person").inputValue(), people[0]!.documentNumber);
  assert.equal(await sampler.getByTestId("tube-fill").textContent(), "1 / 10");
  await snapshot(sampler, "nat-sampler-refusal-phone");
  await scanIn(sampler, people[6]!, 2);
  assert.equal(await sampler.getByTestId("sample-refusal").count(), 0);
  await sampler.getByTestId("sample-seal").click();
  await sampler.locator(`[data-testid=sample-sealed][data-barcode="${T2}"][data-n="2"]`).waitFor();
  // A sealed tube scanned again cannot be opened.
  await sampler.getByTestId("sample-barcode").fill(T1);
  await sampler.getByTestId("sample-barcode").press("Enter");
  await sampler.locator('[data-testid=sample-refusal][data-code="nat.tube_sealed"]').waitFor();
  await phone.close();

  // 3. The lab sends its file: a wrong one first (every bad row named by its line), then the right one.
  const dir = await mkdtemp(join(tmpdir(), "cordon-nat-"));
  try {
    const lab = await browser.newContext({
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      viewport: { width: 1280, height: 900 },
    });
    const labPage = await lab.newPage();
    labPage.on("pageerror", (e) => errors.push(e.message));
    await labPage.goto(`${cordon.baseUrl}/login`);
    await labPage.getByTestId("login-username").fill(LAB_USER);
    await labPage.getByTestId("login-password").fill(LAB_PASSWORD);
    await labPage.getByTestId("login-submit").click();
    await labPage.getByTestId("logout").waitFor();
    await labPage.getByTestId("nav-natLab").click();
    await labPage.waitForURL("**/nat/lab-results");
    const testedAt = new Date().toISOString();
    const header = "barcode,result,ct_orf1ab,ct_n,tested_at,lab";
    const bad = join(dir, "结果-有误.csv");
    await writeFile(
      bad,
      `${header}\r\n${T1},阳性,28.1,29.4,${testedAt},银川市核酸检测实验室\r\n${T2},maybe,-,-,${testedAt},银川市核酸检测实验室\r\n${T2},阴性,-,-,yesterday,银川市核酸检测实验室\r\n`,
    );
    await labPage.locator("[data-testid=lab-file] input[type=file]").setInputFiles(bad);
    await labPage.getByTestId("lab-send").click();
    await labPage.getByTestId("lab-refused").waitFor();
    assert.deepEqual(
      await labPage
        .getByTestId("lab-problem")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-line"))),
      ["3", "4"],
    );
    await snapshot(labPage, "nat-lab-refused");

    const good = join(dir, "结果.csv");
    await writeFile(
      good,
      `${header}\r\n${T1},阳性,28.1,29.4,${testedAt},银川市核酸检测实验室\r\n${T2},阴性,-,-,${testedAt},银川市核酸检测实验室\r\n`,
    );
    await labPage.locator("[data-testid=lab-file] input[type=file]").setInputFiles(good);
    await labPage.getByTestId("lab-send").click();
    await labPage.getByTestId("lab-result").waitFor();
    const count = async (k: string) => labPage.getByTestId(`lab-count-${k}`).getAttribute("data-n");
    assert.deepEqual(
      [await count("recorded"), await count("recalled"), await count("testsClosed"), await count("unknown")],
      ["2", "4", "2", "0"],
    );
    assert.equal(await labPage.getByTestId("lab-refused").count(), 0);
    await snapshot(labPage, "nat-lab-result");
    await lab.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // 4. The campaign board: the positive pool's four members on the recall list, by community.
  await page.goto(`${cordon.baseUrl}/nat/campaigns/${campaignId}`);
  await page.getByTestId("campaign-board").waitFor();
  const groups = page.getByTestId("recall-group");
  await groups.nth(1).waitFor();
  assert.equal(await groups.count(), 2);
  for (const community of [COMMUNITY_A, COMMUNITY_B]) {
    const group = page.locator(`[data-testid=recall-group][data-community="${community}"]`);
    assert.equal(await group.getByTestId("recall-community").textContent(), names[community]);
    const expected = pool.filter((p) => p.community === community).map((p) => p.name);
    assert.deepEqual((await group.getByTestId("recall-name").allTextContents()).sort(), expected.sort());
    assert.equal(await group.locator('[data-testid=recall-retest][data-state="awaiting"]').count(), 2);
    assert.equal(await group.locator('[data-testid=recall-countdown][data-overdue="false"]').count(), 1);
  }
  // Six people sampled in the township; the lab's turnaround is listed; the rest wait per grid.
  const township = page.locator(`[data-testid=coverage-table] tr[data-code="${TOWNSHIP}"]`);
  assert.match((await township.getByTestId("coverage-sampled").textContent()) ?? "", /^6 \/ \d+$/);
  await page
    .locator("[data-testid=turnaround-table] tr")
    .filter({ hasText: "银川市核酸检测实验室" })
    .waitFor();
  // The four in the positive pool; the two of the negative tube are done.
  const stat = (id: string) => page.getByTestId(id).locator(".ant-statistic-content-value").textContent();
  assert.deepEqual([await stat("count-pool-positive"), await stat("count-negative")], ["4", "2"]);
  await page.getByTestId("unsampled-total").waitFor();
  await snapshot(page, "nat-campaign-board");
  assert.deepEqual(errors, []);
  await desk.close();
});
