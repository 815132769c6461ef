import assert from "node:assert/strict";
import { test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { makeResidentId } from "../../packages/domain/src/people/resident-id.ts";
import {
  browserSuite,
  logIn,
  snapshot,
  apiCall as harnessCall,
  apiSession as harnessSession,
} from "./browser-harness.ts";

const suite = browserSuite();

// A citizen of 崇安社区 (Xingqing district, Yinchuan: the demo grid worker's jurisdiction, inside the
// demo command's Ningxia), sampled in a pool of three during a designated-area round of its township.
const TOWNSHIP = "640104001";
const CHONGAN = "640104001002";
const PASSWORD = "Cordon-Test-2022!";
const CITIZEN = "hc.citizen";
const SECOND_COMMAND = "hc.command2";
const SECOND_COMMAND_NAME = "宁夏指挥部副指挥";
const LAB = "hc.lab";
const POOL = "HC-POOL-0001";
const RETEST = "HC-RETEST-0001";
const VENUE = "新华百货东方红店（测试）";
const OVERRIDE_REASON = "协查函（宁卫协〔2022〕17号）通报此人与外省病例同航班，待核实";
/** The code page re-fetches every 15 s and the worker runs every second: a change shows well within this. */
const CHANGE_SHOWS_MS = 45_000;

interface Scene {
  personId: string;
  personName: string;
  round: string;
  point: string;
}
let scene: Scene;
let citizen: Page;
let citizenContext: BrowserContext;
const errors: string[] = [];

const apiSession = (username: string, password?: string) => harnessSession(suite.cordon, username, password);
const apiCall = (cookie: string, method: "GET" | "POST", path: string, body?: unknown) =>
  harnessCall(suite.cordon, cookie, method, path, body);

/** Logs in through the login page with an account created by the test. */
async function logInAs(page: Page, username: string): Promise<void> {
  await page.goto(`${suite.cordon.baseUrl}/login`);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("logout").waitFor();
}

async function phone(): Promise<BrowserContext> {
  return suite.browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 390, height: 844 },
  });
}

async function desktop(): Promise<BrowserContext> {
  return suite.browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
}

function watch(page: Page): Page {
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

/** The QR text the citizen's page shows now. */
async function shownCode(): Promise<string> {
  const code = (await citizen.getByTestId("my-code").getAttribute("data-code")) ?? "";
  assert.match(code, /^CDC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  return code;
}

/** One character of the signed payload changed (inside the person reference, bytes 5–20). */
function tamper(code: string): string {
  const [head, payload, signature] = code.split(".") as [string, string, string];
  const i = 12;
  const c = payload[i] === "A" ? "B" : "A";
  return `${head}.${payload.slice(0, i)}${c}${payload.slice(i + 1)}.${signature}`;
}

/** Types the code into the scanner's field and presses Enter, as a hardware barcode scanner does. */
async function scan(page: Page, code: string): Promise<void> {
  await page.getByTestId("scan-input").fill(code);
  await page.getByTestId("scan-input").press("Enter");
}

async function labResult(lab: string, barcode: string, result: "positive" | "negative"): Promise<void> {
  await apiCall(lab, "POST", "/api/nat/lab-results", {
    results: [
      {
        barcode,
        result,
        ct: result === "positive" ? { orf1ab: 28.4, n: 26.9 } : { orf1ab: null, n: null },
        testedAt: new Date().toISOString(),
        lab: "银川市核酸检测实验室",
      },
    ],
  });
}

test("a citizen's code turns yellow when their pool is positive and says which tube, turns green after the single-tube retest, and a gate refuses the yellow code and admits the green one", async () => {
  const { cordon } = suite;
  // The registry: the citizen and two neighbours sampled in the same pool; the accounts.
  const admin = await apiSession("admin");
  const people: { id: string; name: string }[] = [];
  for (let i = 0; i < 3; i++) {
    const name = `赋码${"甲乙丙"[i]}`;
    const created = await apiCall(admin, "POST", "/api/people", {
      name,
      documentType: "resident_id",
      documentNumber: makeResidentId("640104", `199${i}-0${i + 3}-2${i}`, 810 + i),
      phone: `1389511${String(3000 + i)}`,
      currentRegionCode: CHONGAN,
      currentAddress: `崇安巷${i + 3}号`,
    });
    people.push({ id: created.person?.id ?? created.id, name });
  }
  const user = (
    username: string,
    displayName: string,
    role: string,
    jurisdictionCode: string,
    personId?: string,
  ) =>
    apiCall(admin, "POST", "/api/users", {
      username,
      displayName,
      role,
      jurisdictionCode,
      password: PASSWORD,
      ...(personId ? { personId } : {}),
    });
  await user(CITIZEN, "赋码甲", "citizen", "640104", people[0]!.id);
  await user(SECOND_COMMAND, SECOND_COMMAND_NAME, "command", "640000");
  await user(LAB, "银川市核酸检测实验室", "lab", "640100");

  const command = await apiSession("command");
  const point = await apiCall(command, "POST", "/api/nat/sampling-points", {
    name: "崇安社区采样点（测试）",
    address: "崇安巷1号",
    regionCode: TOWNSHIP,
    hours: "07:00-21:00",
    desks: 4,
    capacityPerHour: 180,
  });
  const campaign = await apiCall(command, "POST", "/api/nat/campaigns", {
    name: "胜利街区域核酸（赋码测试）",
    kind: "designated_area",
    regionCodes: [TOWNSHIP],
    startsAt: new Date().toISOString(),
    rounds: 1,
  });
  scene = {
    personId: people[0]!.id,
    personName: people[0]!.name,
    round: campaign.roundList[0].id,
    point: point.id,
  };

  // 1. The citizen opens their code on a phone: green, with its reason.
  citizenContext = await phone();
  citizen = watch(await citizenContext.newPage());
  await logInAs(citizen, CITIZEN);
  await citizen.getByTestId("open-my-code").click();
  await citizen.waitForURL("**/me/code");
  const code = citizen.getByTestId("my-code");
  await citizen.locator('[data-testid=my-code][data-colour="green"]').waitFor();
  assert.equal(await citizen.getByTestId("my-code-colour").textContent(), "绿码");
  assert.match(
    (await citizen.getByTestId("my-code-since").textContent()) ?? "",
    /^自 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）起$/,
  );
  assert.ok((await citizen.getByTestId("code-reason").count()) >= 1, "a green code also says why");
  assert.match(
    (await citizen.getByTestId("my-code-countdown").textContent()) ?? "",
    /^二维码 \d:\d\d 后自动更新$/,
  );
  const width = await citizen.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the code page is ${width}px wide on a 390px screen`);
  await snapshot(citizen, "health-code-green-phone");
  // Marks this page: if it reloaded, the mark would be gone.
  await citizen.evaluate(() => Object.assign(window, { cordonNoReload: true }));

  // 2. A venue's gate, registered once by the command on its device.
  const gateContext = await phone();
  const gate = watch(await gateContext.newPage());
  await logIn(gate, cordon, "command");
  await apiCall(command, "POST", "/api/venues", {
    name: VENUE,
    kind: "mall",
    regionCode: TOWNSHIP,
    address: "兴庆区解放东街2号",
    capacity: 3000,
  });
  await gate.goto(`${cordon.baseUrl}/gate`);
  await gate.getByTestId("gate-register").waitFor();
  await gate.getByTestId("gate-venue").click();
  await gate.getByTestId("gate-venue").locator("input").fill(VENUE);
  await gate.locator(".ant-select-item-option:visible").filter({ hasText: VENUE }).click();
  await gate.getByTestId("gate-register-submit").click();
  await gate.getByTestId("gate-venue-name").filter({ hasText: VENUE }).waitFor();

  // 3. The pool is sampled, sealed and reported positive by the lab.
  const grid = await apiSession("grid");
  await apiCall(grid, "POST", "/api/nat/tubes", {
    barcode: POOL,
    roundId: scene.round,
    samplingPointId: scene.point,
    person: { personId: people[0]!.id },
  });
  for (const p of people.slice(1))
    await apiCall(grid, "POST", `/api/nat/tubes/${POOL}/swabs`, { personId: p.id });
  await apiCall(grid, "POST", `/api/nat/tubes/${POOL}/seal`);
  const lab = await apiSession(LAB, PASSWORD);
  await labResult(lab, POOL, "positive");

  // Within seconds, without a reload, the page is yellow and names the tube and what turns it green.
  await citizen.locator('[data-testid=my-code][data-colour="yellow"]').waitFor({ timeout: CHANGE_SHOWS_MS });
  assert.equal(await citizen.evaluate(() => (window as { cordonNoReload?: boolean }).cordonNoReload), true);
  assert.equal(await citizen.getByTestId("my-code-colour").textContent(), "黄码");
  const recall = citizen.locator('[data-testid=code-reason][data-colour="yellow"]');
  const said = (await recall.getByTestId("code-reason-message").textContent()) ?? "";
  assert.ok(said.includes(POOL) && said.includes("阳性"), said);
  assert.match(
    (await recall.getByTestId("code-reason-clears").textContent()) ?? "",
    /^转绿条件：.*单管复核阴性/,
  );
  await snapshot(citizen, "health-code-yellow-phone");
  const yellow = await shownCode();

  // The same in English.
  await citizen.getByTestId("language-en").click();
  await citizen.getByTestId("my-code-colour").getByText("Yellow", { exact: true }).waitFor();
  const english = (await recall.getByTestId("code-reason-message").textContent()) ?? "";
  assert.ok(english.includes(POOL) && english.includes("positive"), english);
  assert.match((await recall.getByTestId("code-reason-clears").textContent()) ?? "", /^Turns green: /);
  assert.match((await citizen.getByTestId("my-code-since").textContent()) ?? "", /\(Beijing time\)$/);
  await citizen.getByTestId("language-zh").click();
  await citizen.getByTestId("my-code-colour").getByText("黄码", { exact: true }).waitFor();

  // The gate scans the yellow code: refused, and the panel says yellow.
  await scan(gate, yellow);
  await gate.locator('[data-testid=gate-decision][data-decision="refuse"]').waitFor();
  assert.equal(await gate.getByTestId("scan-verdict").getAttribute("data-colour"), "yellow");
  await snapshot(gate, "health-code-gate-refuse");

  // 4. The single-tube retest is negative: green again, the change on the page without a reload.
  await apiCall(grid, "POST", "/api/nat/tubes", {
    barcode: RETEST,
    roundId: scene.round,
    samplingPointId: scene.point,
    person: { personId: people[0]!.id },
    retest: true,
  });
  await apiCall(grid, "POST", `/api/nat/tubes/${RETEST}/seal`);
  await labResult(lab, RETEST, "negative");
  await citizen.locator('[data-testid=my-code][data-colour="green"]').waitFor({ timeout: CHANGE_SHOWS_MS });
  assert.equal(await citizen.evaluate(() => (window as { cordonNoReload?: boolean }).cordonNoReload), true);
  assert.equal(await citizen.locator('[data-testid=code-reason][data-colour="yellow"]').count(), 0);
  const green = await shownCode();
  assert.notEqual(green, yellow);
  assert.equal(await code.getAttribute("data-colour"), "green");

  // The gate scans the fresh green code: admitted.
  await scan(gate, green);
  await gate.locator('[data-testid=gate-decision][data-decision="admit"]').waitFor();
  assert.equal(await gate.getByTestId("scan-verdict").getAttribute("data-colour"), "green");
  await snapshot(gate, "health-code-gate-admit");
  await gateContext.close();

  // Staff see the history on the person's record: green → yellow (the recall) → green.
  const desk = await desktop();
  const staff = watch(await desk.newPage());
  await logIn(staff, cordon, "command");
  await staff.goto(`${cordon.baseUrl}/people/${scene.personId}`);
  await staff.locator('[data-testid=person-code][data-colour="green"]').waitFor();
  assert.deepEqual(
    await staff
      .getByTestId("code-change")
      .evaluateAll((rows) => rows.map((r) => `${r.getAttribute("data-from")}→${r.getAttribute("data-to")}`)),
    ["yellow→green", "green→yellow", "→green"],
  );
  await desk.close();
  assert.deepEqual(errors, []);
});

test("the scanner page, offline, accepts the genuine code and refuses it with one character changed", async () => {
  const context = await phone();
  const scanner = watch(await context.newPage());
  await scanner.goto(`${suite.cordon.baseUrl}/scan`);
  await scanner.getByTestId("scan-online").waitFor();
  await scanner.getByTestId("scan-input").and(scanner.locator(":enabled")).waitFor();
  await context.setOffline(true);
  await scanner.getByTestId("scan-offline").waitFor();

  const genuine = await shownCode();
  await scan(scanner, genuine);
  await scanner.locator('[data-testid=scan-verdict][data-ok="true"][data-colour="green"]').waitFor();

  await scan(scanner, tamper(genuine));
  const refused = scanner.locator('[data-testid=scan-verdict][data-ok="false"]');
  await refused.waitFor();
  assert.equal(await refused.getAttribute("data-reason"), "bad_signature");
  assert.equal(await scanner.getByTestId("scan-offline").count(), 1, "still offline");
  assert.ok(((await scanner.getByTestId("scan-reason-message").textContent()) ?? "").length > 0);
  await snapshot(scanner, "health-code-scan-tampered-offline");
  await context.close();
  assert.deepEqual(errors, []);
});

test("an override needs two users: the requester's own approval is refused, a second command approves, the person sees it and the report lists it", async () => {
  const { cordon } = suite;
  // The command requests yellow on the person's record.
  const first = await desktop();
  const requester = watch(await first.newPage());
  await logIn(requester, cordon, "command");
  await requester.goto(`${cordon.baseUrl}/people/${scene.personId}`);
  await requester.getByTestId("override-request").waitFor();
  await requester.getByTestId("override-colour").click();
  await requester.locator(".ant-select-item-option:visible").filter({ hasText: "黄码" }).click();
  await requester.getByTestId("override-reason-input").fill(OVERRIDE_REASON);
  await requester.locator("input[data-testid=override-hours], [data-testid=override-hours] input").fill("24");
  await requester.getByTestId("override-submit").click();
  await requester.locator('[data-testid=person-override][data-status="pending"]').waitFor();
  await snapshot(requester, "health-code-person-card");

  // On the report, the requester's own approval is refused with the server's reason.
  await requester.getByTestId("nav-codes").click();
  await requester.waitForURL("**/codes");
  const mine = requester.getByTestId("override-row").filter({ hasText: scene.personName });
  await mine.waitFor();
  await mine.getByTestId("override-approve").click();
  await requester.getByTestId("override-confirm").click();
  const refusal = requester.getByTestId("override-error");
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute("data-code"), "override.same_user");
  assert.ok(
    ((await refusal.textContent()) ?? "").includes("申请人不能审批自己的申请"),
    (await refusal.textContent()) ?? "",
  );
  await snapshot(requester, "health-code-override-same-user");
  await requester.getByRole("button", { name: /取\s*消/ }).click();
  assert.equal(await mine.getByTestId("override-status").getAttribute("data-status"), "pending");
  await first.close();

  // A second command user approves it.
  const second = await desktop();
  const approver = watch(await second.newPage());
  await logInAs(approver, SECOND_COMMAND);
  await approver.getByTestId("nav-codes").click();
  await approver.waitForURL("**/codes");
  const row = approver.getByTestId("override-row").filter({ hasText: scene.personName });
  await row.getByTestId("override-approve").click();
  await approver.getByTestId("override-text").fill("已核对协查函原件");
  await approver.getByTestId("override-confirm").click();
  await row.locator('[data-testid=override-status][data-status="approved"]').waitFor();
  await row.locator('[data-testid=override-in-force][data-in-force="true"]').waitFor();
  assert.equal(await row.getByTestId("override-reason").textContent(), OVERRIDE_REASON);
  assert.ok(((await row.getByTestId("override-requester").textContent()) ?? "").includes("宁夏指挥部值班员"));
  assert.ok(((await row.getByTestId("override-approver").textContent()) ?? "").includes(SECOND_COMMAND_NAME));
  assert.equal(await row.getByTestId("code-colour-tag").getAttribute("data-colour"), "yellow");
  // The status filter: it is among the approved ones, not among those awaiting approval.
  await approver.getByTestId("overrides-status-pending").click();
  await row.waitFor({ state: "detached" });
  await approver.getByTestId("overrides-status-approved").click();
  await row.waitFor();
  await snapshot(approver, "health-code-overrides-report");
  await second.close();

  // The person's own page shows the colour set by hand with its reason, within seconds.
  await citizen.locator('[data-testid=my-code][data-colour="yellow"]').waitFor({ timeout: CHANGE_SHOWS_MS });
  const banner = citizen.getByTestId("my-code-override");
  await banner.waitFor({ timeout: CHANGE_SHOWS_MS });
  assert.equal(await banner.getAttribute("data-colour"), "yellow");
  assert.ok(
    ((await citizen.getByTestId("my-code-override-reason").textContent()) ?? "").includes(OVERRIDE_REASON),
  );
  assert.match(
    (await banner.textContent()) ?? "",
    /人工赋码：黄码，有效至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/,
  );
  await snapshot(citizen, "health-code-override-phone");
  await citizenContext.close();
  assert.deepEqual(errors, []);
});
