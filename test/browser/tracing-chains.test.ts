import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
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

// 兴庆区 (Yinchuan), April 2022. 马建国 falls ill on 04-01 and infects five people at a family dinner
// (recorded as exposures on his case): a super-spreader at the default threshold of 5. One of them,
// 马秀兰, infects her workmate 刘海涛, whose wife 陈雨桐 is reported as linked to him. Elsewhere 黄文静
// infects 周子轩 (linked), and 杨光明 has no link. The investigator recomputes the chains on the
// chains page and reads the analysis, the clusters and the graph of the family cluster.
const COMMUNITY = "640104001002";
const WORKPLACE = "640104001003";
const START = Date.parse("2022-04-12T10:00:00+08:00");
const HOUR = 3_600_000;

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

const PEOPLE = {
  A: "马建国",
  B: "马秀兰",
  C: "马晓东",
  D: "李春梅",
  E: "王志强",
  F: "张丽娟",
  G: "刘海涛",
  H: "陈雨桐",
  I: "杨光明",
  J: "黄文静",
  K: "周子轩",
} as const;
type Key = keyof typeof PEOPLE;
const ONSET: Record<Key, string> = {
  A: "2022-04-01",
  B: "2022-04-04",
  C: "2022-04-05",
  D: "2022-04-03",
  E: "2022-04-06",
  F: "2022-04-04",
  G: "2022-04-08",
  H: "2022-04-11",
  I: "2022-04-05",
  J: "2022-04-02",
  K: "2022-04-06",
};

const apiSession = (username: string, password?: string) => harnessSession(suite.cordon, username, password);
const apiCall = (cookie: string, method: "GET" | "POST", path: string, body?: unknown) =>
  harnessCall(suite.cordon, cookie, method, path, body);

async function graphShown(page: Page): Promise<number> {
  return Number(await page.getByTestId("graph-shown").getAttribute("data-shown"));
}

async function waitShown(page: Page, n: number): Promise<void> {
  await page.locator(`[data-testid=graph-shown][data-shown="${n}"]`).waitFor();
}

/** An antd input by its test id (set on the input itself or on its wrapper). */
const inputOf = (page: Page, testId: string) =>
  page.locator(`input[data-testid=${testId}], [data-testid=${testId}] input`).first();

async function searchGraph(page: Page, name: string, caseId: string): Promise<void> {
  await inputOf(page, "graph-search").fill(name);
  const option = page.locator(`[data-testid=graph-search-option][data-case-id="${caseId}"]:visible`);
  await option.click();
  await page.locator(`[data-testid=node-panel][data-case-id="${caseId}"]`).waitFor();
}

test("the investigator recomputes the chains: a family cluster of 8 with a super-spreader, a pair and a sporadic case; the graph is searched, collapsed and filtered by generation", async () => {
  const { cordon, browser } = suite;
  const admin = await apiSession("admin");
  const investigator = await apiSession("investigator");
  const person: Record<string, string> = {};
  const caseOf: Record<string, string> = {};
  let seq = 0;
  for (const [key, name] of Object.entries(PEOPLE)) {
    seq++;
    const r = await apiCall(admin, "POST", "/api/people", {
      name,
      documentType: "resident_id",
      documentNumber: makeResidentId("640104", `1979-0${1 + (seq % 9)}-1${seq % 10}`, 700 + seq),
      phone: `1399513${String(1000 + seq)}`,
      currentRegionCode: key === "G" || key === "H" ? WORKPLACE : COMMUNITY,
      currentAddress: `丽景街${seq}号`,
    });
    person[key] = (r.person?.id ?? r.id) as string;
  }
  const makeCase = async (key: Key, linkedTo?: Key) => {
    const r = await apiCall(investigator, "POST", "/api/tracing/cases", {
      personId: person[key],
      classification: key === "D" ? "asymptomatic" : key === "E" ? "confirmed_moderate" : "confirmed_mild",
      foundBy: "fever_clinic",
      source: linkedTo ? "linked" : "local",
      linkedCaseId: linkedTo ? caseOf[linkedTo] : null,
      onsetDate: key === "D" ? null : ONSET[key],
      // An asymptomatic infection's look-back runs from its positive sample.
      samplingDate: key === "D" ? "2022-04-06" : null,
      confirmedAt: new Date(serverNow().getTime() - 2 * HOUR).toISOString(),
    });
    caseOf[key] = r.id as string;
  };
  const expose = async (source: Key, exposed: Key, at: string, setting: string) => {
    await apiCall(investigator, "POST", `/api/tracing/cases/${caseOf[source]}/exposures`, {
      exposedPersonId: person[exposed],
      at,
      durationMinutes: 90,
      setting,
      proximity: "within_1m",
    });
  };
  await makeCase("A");
  for (const k of ["B", "C", "D", "E", "F"] as const) {
    await expose("A", k, "2022-04-01T18:30:00+08:00", "dining");
    await makeCase(k);
  }
  await expose("B", "G", "2022-04-05T09:00:00+08:00", "work_class");
  await makeCase("G");
  await makeCase("H", "G");
  await makeCase("I");
  await makeCase("J");
  await makeCase("K", "J");

  const context = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await logIn(page, cordon, "investigator");

  // 1. Never computed: the page says so; one click computes the chains over the database's cases.
  await page.getByTestId("nav-transmissionChains").click();
  await page.waitForURL("**/tracing/chains");
  await page.getByTestId("chains-never").waitFor();
  await page.getByTestId("chains-recompute").click();
  await page.getByTestId("chains-computed-at").waitFor();
  const figure = async (key: string) =>
    Number(await page.getByTestId(`analysis-${key}`).getAttribute("data-value"));
  await page.locator('[data-testid=analysis-cases][data-value="11"]').waitFor();
  assert.equal(await figure("pairs"), 8);
  assert.equal(await figure("clusters"), 2);
  assert.equal(await figure("isolated"), 1);
  assert.equal(await figure("largest"), 8);
  assert.equal(await figure("max-generation"), 3);
  assert.equal(await figure("in-cycles"), 0);
  assert.equal(await page.getByTestId("chains-stale").count(), 0);
  // 马建国 infected five: the only super-spreader, linked to his case.
  const spreader = page.getByTestId("superspreader");
  assert.equal(await spreader.count(), 1);
  assert.equal(await spreader.getAttribute("data-case-id"), caseOf.A);
  assert.equal(await spreader.textContent(), "马建国（5 例）");
  // Onsets known for 7 of the 8 pairs (李春梅 has none): 3, 4, 5, 3, 4, 3, 4 days.
  assert.equal(
    await page.getByTestId("serial-interval").textContent(),
    "7 对；均值 3.7 天，标准差 0.8 天，负值占比 0.0%",
  );
  assert.equal(await page.getByTestId("cluster-sizes").textContent(), "8 例 × 1；2 例 × 1");
  await page.getByTestId("generation-chart").locator("canvas").waitFor();

  // 2. The cluster list, largest first; searched by a name; by minimum size.
  const rows = page.getByTestId("cluster-row");
  await rows.nth(1).waitFor();
  assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute("data-size"))), ["8", "2"]);
  assert.match((await rows.first().textContent()) ?? "", /马建国/);
  await snapshot(page, "tracing-chains");
  await inputOf(page, "cluster-search").fill("周子轩");
  await inputOf(page, "cluster-search").press("Enter");
  await page.locator("[data-testid=cluster-row][data-size='2']").waitFor();
  await page.locator("[data-testid=cluster-row][data-size='8']").waitFor({ state: "detached" });
  await inputOf(page, "cluster-search").fill("");
  await inputOf(page, "cluster-search").press("Enter");
  await rows.nth(1).waitFor();
  await inputOf(page, "cluster-min-size").fill("3");
  await page.locator("[data-testid=cluster-row][data-size='2']").waitFor({ state: "detached" });
  assert.equal(await rows.count(), 1);

  // 3. The family cluster's graph: all 8 cases shown.
  await rows.first().click();
  await page.waitForURL("**/tracing/chains/*");
  await waitShown(page, 8);
  assert.equal(Number(await page.getByTestId("graph-shown").getAttribute("data-total")), 8);
  assert.equal(await page.getByTestId("graph-shown").textContent(), "显示 8 / 8 例");
  await page.getByTestId("cluster-graph").locator("canvas").first().waitFor();

  // 4. Search a name: 刘海涛 is selected, highlighted at a point of the canvas, and described.
  await searchGraph(page, "海涛", caseOf.G!);
  assert.equal(await page.getByTestId("node-name").textContent(), "刘海涛");
  assert.equal(await page.getByTestId("node-generation").textContent(), "第 2 代");
  assert.match((await page.getByTestId("node-infectors").textContent()) ?? "", /马秀兰/);
  assert.match((await page.getByTestId("node-infectees").textContent()) ?? "", /陈雨桐/);
  const graphBox = (await page.getByTestId("cluster-graph").boundingBox())!;
  const selectedAt = async () => {
    const el = page.getByTestId("cluster-graph");
    const x = Number(await el.getAttribute("data-selected-x"));
    const y = Number(await el.getAttribute("data-selected-y"));
    assert.ok(x > 0 && x < graphBox.width && y > 0 && y < graphBox.height, `selected at ${x},${y}`);
    return { x, y };
  };
  await selectedAt();
  await snapshot(page, "tracing-chain-graph");

  // 5. Collapse: a double-click on 马建国 hides the 7 cases below him ("+7"); the panel expands them.
  await searchGraph(page, "马建国", caseOf.A!);
  const a = await selectedAt();
  await page.getByTestId("cluster-graph").dblclick({ position: a });
  await waitShown(page, 1);
  const panel = page.getByTestId("node-panel");
  assert.equal(await panel.getAttribute("data-collapsed"), "true");
  assert.equal(await page.getByTestId("node-hidden").getAttribute("data-hidden"), "7");
  assert.equal(await page.getByTestId("node-toggle").textContent(), "展开下游（+7）");
  await snapshot(page, "tracing-chain-graph-collapsed");
  await page.getByTestId("node-toggle").click();
  await waitShown(page, 8);
  // 马秀兰 collapsed from the panel: 刘海涛 and 陈雨桐 hidden below her.
  await searchGraph(page, "马秀兰", caseOf.B!);
  await page.getByTestId("node-toggle").click();
  await waitShown(page, 6);
  assert.equal(await page.getByTestId("node-hidden").getAttribute("data-hidden"), "2");

  // 6. Filter by generation: only the first generation (the five dinner guests).
  await page.getByTestId("node-toggle").click();
  await waitShown(page, 8);
  await inputOf(page, "filter-generation-from").fill("1");
  await inputOf(page, "filter-generation-to").fill("1");
  await inputOf(page, "filter-generation-to").press("Tab");
  await waitShown(page, 5);
  assert.equal(await page.getByTestId("graph-shown").textContent(), "显示 5 / 8 例（符合筛选 5 例）");
  await page.getByTestId("filter-clear").click();
  await waitShown(page, 8);
  // "Collapse below generation 1": 马建国 and his five, 马秀兰 marked +2.
  await page.getByTestId("collapse-depth").click();
  await page.locator(".ant-select-item-option:visible").filter({ hasText: "第 1 代以下" }).click();
  await waitShown(page, 6);
  await searchGraph(page, "马秀兰", caseOf.B!);
  assert.equal(await page.getByTestId("node-hidden").getAttribute("data-hidden"), "2");
  assert.equal(await graphShown(page), 6);

  // 7. In English.
  await page.getByTestId("language-en").click();
  await page.getByText("Showing 6 of 8 cases").waitFor();
  assert.equal(await page.getByTestId("node-toggle").textContent(), "Expand (+2)");
  await snapshot(page, "tracing-chain-graph-en");

  // 8. From a case page, "View chain" opens its cluster with the case selected; a sporadic case says so.
  await page.goto(`${cordon.baseUrl}/tracing/cases/${caseOf.H}`);
  await page.getByTestId("case-chain-link").click();
  await page.locator(`[data-testid=node-panel][data-case-id="${caseOf.H}"]`).waitFor();
  assert.equal(await page.getByTestId("node-name").textContent(), "陈雨桐");
  await page.goto(`${cordon.baseUrl}/tracing/chains?case=${caseOf.I}`);
  await page.locator("[data-testid=chains-case-link][data-state=isolated]").waitFor();
  assert.match(
    (await page.getByTestId("chains-case-link").textContent()) ?? "",
    /no transmission link to another case/,
  );
  await snapshot(page, "tracing-chains-en");

  // 9. A new case linked to 陈雨桐 makes the stored chains stale until the next recompute.
  const late = await apiCall(admin, "POST", "/api/people", {
    name: "陈一鸣",
    documentType: "resident_id",
    documentNumber: makeResidentId("640104", "2015-06-01", 799),
    phone: "13995131999",
    currentRegionCode: WORKPLACE,
    currentAddress: "丽景街99号",
  });
  person.L = (late.person?.id ?? late.id) as string;
  await apiCall(investigator, "POST", "/api/tracing/cases", {
    personId: person.L,
    classification: "asymptomatic",
    foundBy: "quarantine",
    source: "linked",
    linkedCaseId: caseOf.H,
    samplingDate: "2022-04-12",
    confirmedAt: new Date(serverNow().getTime() - HOUR).toISOString(),
  });
  await page.reload();
  await page.getByTestId("chains-stale").waitFor();
  await page.getByTestId("chains-recompute").click();
  await page.locator('[data-testid=analysis-cases][data-value="12"]').waitFor();
  await page.getByTestId("chains-stale").waitFor({ state: "detached" });
  assert.equal(await figure("largest"), 9);
  assert.deepEqual(errors, []);
  await context.close();
});

// A line list from elsewhere (the documented columns and one more): 王 (S1) infects her husband and her
// daughter at home, her husband infects their son at school; S5 infects a workmate; S7's onset is in the
// future and its sex unreadable. The investigator exports the database's line list, then analyses this
// file on the same page, and goes back to the database's analysis.
const LINE_LIST_FILE = [
  "case_id,infector_id,onset_date,report_date,sex,age,region_code,exposure_setting,备注",
  "S1,,2022-03-01,2022-03-02,F,52,640104,,首发",
  "S2,S1,2022-03-04,2022-03-05,M,50,640104,household,",
  "S3,S1,2022-03-06,,F,24,640104,household,",
  "S4,S2,2022-03-09,,M,8,640104,school,",
  "S5,,2022-03-03,,M,31,640104,,",
  "S6,S5,2022-03-05,,F,29,640104,workplace,",
  "S7,,2099-01-01,,X,,640104,,",
].join("\n");

test("the investigator exports the line list of the jurisdiction's cases and analyses a line-list file: its figures and problems by row, then back to the database's analysis", async () => {
  const { cordon, browser } = suite;
  const investigator = await apiSession("investigator");
  // Recomputed, the stored chains hold every case the export writes.
  await apiCall(investigator, "POST", "/api/tracing/chains/recompute");
  const db = await apiCall(investigator, "GET", "/api/tracing/analysis");
  const dir = await mkdtemp(join(tmpdir(), "cordon-line-list-"));
  const context = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await logIn(page, cordon, "investigator");
    await page.goto(`${cordon.baseUrl}/tracing/chains`);
    const card = (source: "database" | "file") =>
      page.locator(`[data-testid=chain-analysis][data-source=${source}]`);
    const figure = async (source: "database" | "file", key: string) =>
      Number(await card(source).getByTestId(`analysis-${key}`).getAttribute("data-value"));
    await card("database").locator(`[data-testid=analysis-cases][data-value="${db.cases}"]`).waitFor();

    // 1. The export: the documented columns, one row per case of the database's analysis.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("line-list-export").click(),
    ]);
    assert.match(download.suggestedFilename(), /^line-list-\d{6,15}-2022-04-\d{2}\.csv$/);
    const exported = (await readFile(await download.path())).toString("utf8");
    const lines = exported.split("\r\n").filter((l) => l !== "");
    assert.equal(
      lines[0],
      "\uFEFFcase_id,infector_id,onset_date,report_date,sex,age,region_code,exposure_setting",
    );
    assert.equal(lines.length - 1, db.cases);

    // 2. A file that is no line list: refused, the missing column named; the database's analysis stays.
    const notLineList = join(dir, "人员名单.csv");
    await writeFile(notLineList, "姓名,手机号\n张三,13995130000\n");
    await page.locator("[data-testid=line-list-upload] input[type=file]").setInputFiles(notLineList);
    await page.getByTestId("line-list-error").waitFor();
    assert.match((await page.getByTestId("line-list-error").textContent()) ?? "", /case_id/);
    assert.equal(await card("database").count(), 1);

    // 3. The line-list file: its own figures, labelled as the file's.
    const file = join(dir, "外市病例一览表.csv");
    await writeFile(file, LINE_LIST_FILE);
    await page.locator("[data-testid=line-list-upload] input[type=file]").setInputFiles(file);
    await card("file").locator('[data-testid=analysis-cases][data-value="7"]').waitFor();
    assert.equal(await page.getByTestId("line-list-error").count(), 0);
    assert.match((await page.getByTestId("file-analysis-note").textContent()) ?? "", /外市病例一览表\.csv/);
    assert.match((await card("file").textContent()) ?? "", /传播链分析（文件：外市病例一览表\.csv）/);
    assert.equal(await page.getByTestId("file-analysis-read").textContent(), "读取 7 行；已忽略未知列：备注");
    assert.equal(await figure("file", "pairs"), 4);
    assert.equal(await figure("file", "clusters"), 2);
    assert.equal(await figure("file", "isolated"), 1);
    assert.equal(await figure("file", "largest"), 4);
    assert.equal(await figure("file", "max-generation"), 2);
    // Serial intervals 3, 5, 5 and 2 days.
    assert.equal(
      await card("file").getByTestId("serial-interval").textContent(),
      "4 对；均值 3.8 天，标准差 1.5 天，负值占比 0.0%",
    );
    assert.equal(await card("file").getByTestId("cluster-sizes").textContent(), "4 例 × 1；2 例 × 1");
    // The reader's problems, by row: the unknown column, and row 7's future onset and unreadable sex.
    const issues = card("file").getByTestId("analysis-issues");
    assert.equal(await issues.getAttribute("data-total"), "3");
    await issues.locator(".ant-collapse-header").click();
    await card("file").getByTestId("analysis-issue").nth(2).waitFor();
    assert.deepEqual(
      await card("file")
        .getByTestId("analysis-issue")
        .evaluateAll((rows) =>
          rows.map((r) => `${r.getAttribute("data-code")}:${r.getAttribute("data-row")}`),
        ),
      ["unknown_column:", "future_date:7", "bad_sex:7"],
    );
    assert.match((await card("file").getByTestId("analysis-issue").nth(1).textContent()) ?? "", /第 7 行/);
    await snapshot(page, "tracing-chains-line-list-file");

    // 4. Back to the database's analysis.
    await page.getByTestId("file-analysis-back").click();
    await card("database").locator(`[data-testid=analysis-cases][data-value="${db.cases}"]`).waitFor();
    assert.equal(await card("file").count(), 0);
    assert.equal(await figure("database", "pairs"), db.pairs);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
});
