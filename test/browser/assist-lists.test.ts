import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import ExcelJS from "exceljs";
import { makeResidentId } from "../../packages/domain/src/people/resident-id.ts";
import { type Cordon, launchChromium, logIn, snapshot, startCordon } from "./browser-harness.ts";

// Cordon's server on a clock this file can move forward (the other browser tests run on the wall
// clock): the second list is made overdue by moving the server past its deadline, as a late evening would.
let clockOffsetMs = 0;
const serverNow = () => new Date(Date.now() + clockOffsetMs);

let cordon: Cordon;
let browser: Browser;

before(async () => {
  cordon = await startCordon(serverNow);
  browser = await launchChromium();
  await registerTheRegistry();
});

after(async () => {
  await browser?.close();
  await cordon?.close();
});

// Xingqing district (兴庆区, 640104) lies in the command's jurisdiction (Ningxia, 640000); Qilin (530302) does not.
const XINGQING_COMMUNITY = "640104001002";
const QILIN_COMMUNITY = "530302001001";

/** A session cookie for a demo account, for the API calls that set the scene. */
async function apiSession(username: string): Promise<string> {
  const res = await fetch(`${cordon.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-cordon-client": "test" },
    body: JSON.stringify({ username, password: cordon.password(username) }),
  });
  assert.equal(res.status, 200, await res.text());
  const cookie = res.headers.getSetCookie()[0];
  assert.ok(cookie);
  return cookie.split(";")[0]!;
}

async function apiCall(
  cookie: string,
  method: "GET" | "POST",
  path: string,
  body?: string,
  contentType = "application/json",
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
): Promise<any> {
  const res = await fetch(`${cordon.baseUrl}${path}`, {
    method,
    headers: {
      cookie,
      ...(method === "POST" ? { "x-cordon-client": "test", "content-type": contentType } : {}),
    },
    body,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function registerPerson(
  cookie: string,
  p: { name: string; documentNumber: string; phone: string; community: string },
): Promise<string> {
  const created = await apiCall(
    cookie,
    "POST",
    "/api/people",
    JSON.stringify({
      name: p.name,
      documentType: "resident_id",
      documentNumber: p.documentNumber,
      phone: p.phone,
      currentRegionCode: p.community,
      currentAddress: "解放东街8号2单元301",
    }),
  );
  return created.person?.id ?? created.id;
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const csv = (lines: string[][]) => lines.map((l) => l.join(",")).join("\r\n") + "\r\n";

const ID_BY_ID = makeResidentId("640104", "1984-05-12", 101);
const ID_AMBIGUOUS_1 = makeResidentId("640104", "1990-02-03", 203);
const ID_AMBIGUOUS_2 = makeResidentId("640104", "1971-11-30", 205);
const ID_NAME_PHONE = makeResidentId("640104", "1966-07-21", 307);
const ID_OUTSIDE = makeResidentId("530302", "1992-09-09", 409);
const ID_NOT_REGISTERED = makeResidentId("640104", "1988-01-15", 511);
const VALID_FOR_BAD = makeResidentId("640104", "1979-03-03", 613);
// The same number with a wrong check character (GB 11643 ISO 7064 MOD 11-2).
const ID_BAD_CHECK = VALID_FOR_BAD.slice(0, 17) + (VALID_FOR_BAD.endsWith("1") ? "2" : "1");

let listFile: Buffer;

/** The registry the list is matched against, registered through the API as a district would have it. */
async function registerTheRegistry() {
  const admin = await apiSession("admin");
  await registerPerson(admin, {
    name: "赵协查",
    documentNumber: ID_BY_ID,
    phone: "13995110001",
    community: XINGQING_COMMUNITY,
  });
  await registerPerson(admin, {
    name: "钱协查",
    documentNumber: ID_NAME_PHONE,
    phone: "13995110002",
    community: XINGQING_COMMUNITY,
  });
  // Two people share a name and a phone (a family phone): a list row with only these cannot be placed.
  for (const id of [ID_AMBIGUOUS_1, ID_AMBIGUOUS_2]) {
    await registerPerson(admin, {
      name: "孙协查",
      documentNumber: id,
      phone: "13995110003",
      community: XINGQING_COMMUNITY,
    });
  }
  await registerPerson(admin, {
    name: "李协查",
    documentNumber: ID_OUTSIDE,
    phone: "13995110005",
    community: QILIN_COMMUNITY,
  });
  listFile = Buffer.from(
    csv([
      ["姓名", "证件号码", "手机号", "协查原因", "现住址", "推送批次"],
      ["赵协查", ID_BY_ID, "", "密接的密接", "胜利街1号", "第7批"],
      ["钱协查", "", "13995110002", "时空伴随", "", "第7批"],
      ["孙协查", "", "13995110003", "时空伴随", "", "第7批"],
      ["赵协查", ID_BY_ID, "", "重复推送", "", "第7批"],
      ["李协查", ID_OUTSIDE, "", "外省协查函", "", "第7批"],
      ["周无名", ID_NOT_REGISTERED, "", "大数据推送", "", "第7批"],
      ["吴错号", ID_BAD_CHECK, "", "大数据推送", "", "第7批"],
    ]),
    "utf8",
  );
}

/** A datetime-local value with seconds, as the browser shows it in Asia/Shanghai. */
const shanghaiLocal = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19);

const rowOf = (page: Page, name: string, state?: string) =>
  page
    .locator(`[data-testid="assist-row"]${state ? `[data-state="${state}"]` : ""}`)
    .filter({ hasText: name });

async function recordOutcome(page: Page, name: string, state: string, outcome: "controlled" | "not_found") {
  const row = rowOf(page, name, state);
  await row.getByTestId("row-record").click();
  const dialog = page.locator(".ant-modal").filter({ has: page.getByTestId("outcome-submit") });
  await dialog.waitFor();
  if (outcome === "not_found") {
    await dialog.getByText("查无此人", { exact: true }).click();
    // Without a reason the dialog refuses, on the reason field.
    await page.getByTestId("outcome-submit").click();
    await dialog
      .locator(".ant-form-item-explain-error")
      .getByText(/查无此人须/)
      .waitFor();
    await page.getByTestId("outcome-reason").fill("经入户核查，登记地址无此人，电话空号");
  }
  await page.getByTestId("outcome-submit").click();
  await dialog.waitFor({ state: "hidden" });
}

async function count(page: Page, name: string): Promise<number> {
  return Number(await page.getByTestId(`count-${name}`).getAttribute("data-value"));
}

async function waitForCount(page: Page, name: string, value: number) {
  await page.locator(`[data-testid="count-${name}"][data-value="${value}"]`).waitFor();
}

test("a command officer imports an assist list, decides the ambiguous row and accounts for every row", async () => {
  const context = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  await logIn(page, cordon, "command");
  await page.getByTestId("nav-assistLists").click();
  await page.waitForURL("**/assist-lists");
  await page.getByTestId("assist-lists-table").waitFor();

  await page.getByTestId("assist-import").click();
  // The column template is made in the browser, with the Chinese column names.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("import-template").click(),
  ]);
  const template = await readFile(await download.path());
  assert.equal(template.toString("utf8"), "\uFEFF姓名,证件号码,手机号,协查原因,现住址,线索区划\r\n");
  await page
    .getByTestId("import-file")
    .locator('input[type="file"]')
    .setInputFiles({ name: "兴庆区协查名单-第7批.csv", mimeType: "text/csv", buffer: listFile });
  // The list's name comes from the file name until the user writes another.
  assert.equal(await page.getByTestId("import-name").inputValue(), "兴庆区协查名单-第7批");
  await page.getByTestId("import-source").fill("自治区指挥部大数据组");
  await snapshot(page, "assist-import-dialog");
  await page.getByTestId("import-submit").click();

  await page.getByTestId("import-result").waitFor();
  assert.equal(await page.getByTestId("import-stored").getAttribute("data-n"), "6");
  const rejected = page.getByTestId("rejected-row");
  assert.equal(await rejected.count(), 1);
  // The bad row is the file's eighth line (the header is line 1), as a spreadsheet numbers it.
  assert.equal(await rejected.getAttribute("data-row"), "8");
  assert.ok(((await rejected.textContent()) ?? "").includes("校验"), (await rejected.textContent()) ?? "");
  await snapshot(page, "assist-import-result");
  const [rejectedFile] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("import-rejected-download").click(),
  ]);
  const rejectedCsv = (await readFile(await rejectedFile.path())).toString("utf8");
  assert.match(rejectedCsv, /^\uFEFF行号,列,原因\r\n8,idNumber,身份证号校验码错误/);

  await page.getByTestId("import-open-list").click();
  await page.waitForURL(/\/assist-lists\/[0-9a-f-]{36}$/);
  await page.getByTestId("rows-table").waitFor();
  await waitForCount(page, "total", 6);
  assert.equal(await count(page, "ambiguous"), 1);
  assert.equal(await count(page, "merged"), 1);
  assert.equal(await count(page, "forwarded"), 1);
  assert.equal(await count(page, "unmatched"), 1);
  assert.equal(await count(page, "dispatched"), 2);
  // The person living in Qilin was forwarded at import; the duplicate row waits on its first row.
  await rowOf(page, "李协查", "forwarded").waitFor();
  await rowOf(page, "赵协查", "merged").waitFor();
  assert.equal(await page.getByTestId("assist-all-accounted").count(), 0);
  await page.getByTestId("deadline-countdown").waitFor();
  await snapshot(page, "assist-list-imported");

  // The ambiguous row: two registered 孙协查 share the phone; the officer picks the first candidate.
  await rowOf(page, "孙协查", "ambiguous").getByTestId("row-decide").click();
  const candidates = page.getByTestId("match-candidate");
  await candidates.first().waitFor();
  assert.equal(await candidates.count(), 2);
  await candidates.first().click();
  await page.getByTestId("match-submit").click();
  await rowOf(page, "孙协查", "dispatched").waitFor();
  await waitForCount(page, "ambiguous", 0);

  await recordOutcome(page, "赵协查", "dispatched", "controlled");
  await rowOf(page, "赵协查", "controlled").waitFor();
  // A time in the future is refused by the server, and its reason shows on the time field.
  await rowOf(page, "钱协查", "dispatched").getByTestId("row-record").click();
  await page.getByTestId("outcome-at").fill(shanghaiLocal(new Date(Date.now() + 86_400_000)));
  await page.getByTestId("outcome-submit").click();
  const atError = page
    .locator(".ant-form-item")
    .filter({ has: page.getByTestId("outcome-at") })
    .locator(".ant-form-item-explain-error");
  await atError.waitFor();
  assert.equal(await atError.textContent(), "办结时间不能晚于现在");
  await page.getByTestId("outcome-at").fill(shanghaiLocal(new Date()));
  await page.getByTestId("outcome-submit").click();
  await rowOf(page, "钱协查", "controlled").waitFor();
  await recordOutcome(page, "孙协查", "dispatched", "controlled");
  await recordOutcome(page, "周无名", "unmatched", "not_found");
  await rowOf(page, "周无名", "not_found").waitFor();

  const done = page.getByTestId("assist-all-accounted");
  await done.waitFor();
  assert.equal(await done.textContent(), "全部 6 条已落实");
  assert.equal(await count(page, "open"), 0);
  assert.equal(await count(page, "controlled"), 3);
  assert.equal(await count(page, "notFound"), 1);
  assert.equal(await page.getByTestId("row-record").count(), 0);
  await snapshot(page, "assist-list-all-accounted");

  // Filters run on the server: by state, and by a search on name, ID number or phone.
  await page.getByTestId("rows-state").click();
  await page.locator(".ant-select-item-option").getByText("已管控", { exact: true }).click();
  await page.waitForURL(/state=controlled/);
  await page
    .locator('[data-testid="assist-row"]:not([data-state="controlled"])')
    .first()
    .waitFor({ state: "detached" });
  assert.equal(await page.getByTestId("assist-row").count(), 3);
  await page.getByTestId("rows-state").click();
  await page.locator(".ant-select-item-option").getByText("全部状态", { exact: true }).click();
  await page.getByTestId("rows-search").locator("input").fill("13995110003");
  await page.getByTestId("rows-search").locator("input").press("Enter");
  await page.waitForURL(/q=13995110003/);
  await page.locator('[data-testid="assist-row"]:not([data-row="4"])').first().waitFor({ state: "detached" });
  assert.equal(await page.getByTestId("assist-row").count(), 1);
  assert.equal(await rowOf(page, "孙协查").count(), 1);
  await context.close();
});

async function overdueContext(viewport: { width: number; height: number }): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport });
  // The browser's clock agrees with the server's, so the countdown reads "overdue" too.
  await context.clock.setFixedTime(serverNow());
  return context;
}

test("after the deadline passes, the rows still open show in red on the list, its page and the command's view", async () => {
  // The Xingqing grid worker receives an Excel list for the district in the evening and imports it
  // from the phone.
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("协查名单").addRows([
    ["姓名", "证件号码", "手机号", "协查原因"],
    ["钱协查", "", 13995110002, "同航班"],
    ["郑未登记", makeResidentId("640104", "1995-06-06", 717), "", "同航班"],
  ]);
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  const importing = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 390, height: 844 },
  });
  const g = await importing.newPage();
  await logIn(g, cordon, "grid");
  await g.getByTestId("nav-toggle").click();
  await g.getByTestId("nav-assistLists").click();
  await g.waitForURL("**/assist-lists");
  await g.getByTestId("assist-import").click();
  await g
    .getByTestId("import-file")
    .locator('input[type="file"]')
    .setInputFiles({ name: "外省协查函-晚间.xlsx", mimeType: XLSX, buffer: xlsx });
  await g.getByTestId("import-source").fill("外省指挥部");
  await g.getByTestId("import-submit").click();
  await g.getByTestId("import-result").waitFor();
  assert.equal(await g.getByTestId("import-stored").getAttribute("data-n"), "2");
  assert.equal(await g.getByTestId("rejected-row").count(), 0);
  await snapshot(g, "assist-import-phone");
  await g.getByTestId("import-open-list").click();
  await g.waitForURL(/\/assist-lists\/[0-9a-f-]{36}$/);
  const listId = g.url().split("/").pop()!;
  await importing.close();

  const list = await apiCall(await apiSession("grid"), "GET", `/api/assist-lists/${listId}`);
  assert.equal(list.fileName, "外省协查函-晚间.xlsx");
  assert.equal(list.counts.open, 2);
  assert.equal(list.counts.overdue, 0);
  // Five minutes past the deadline (midnight of the day received, unless the jurisdiction set another).
  clockOffsetMs = new Date(list.deadlineAt).getTime() + 5 * 60_000 - Date.now();

  const context = await overdueContext({ width: 1440, height: 900 });
  const page = await context.newPage();
  await logIn(page, cordon, "command");
  await page.goto(`${cordon.baseUrl}/assist-lists`);
  const listRow = page.getByTestId(`assist-list-${list.id}`);
  await listRow.waitFor();
  assert.equal(await listRow.getByTestId("assist-list-overdue").textContent(), "2");
  assert.match((await listRow.getAttribute("class")) ?? "", /assist-overdue/);
  // The command's view counts the overdue rows under Yinchuan (640100), where Xingqing lies.
  const yinchuan = page.getByTestId("overdue-region-640100");
  await yinchuan.waitFor();
  assert.equal(await yinchuan.getByTestId("overdue-count").textContent(), "2");
  await page.getByTestId("overdue-chart").waitFor();
  await snapshot(page, "assist-lists-overdue");

  await listRow.getByTestId("assist-list-link").click();
  await page.getByTestId("rows-table").waitFor();
  await page.getByTestId("deadline-overdue").waitFor();
  await page.getByTestId("assist-overdue-banner").waitFor();
  assert.equal(await count(page, "overdue"), 2);
  const red = page.locator('[data-testid="assist-row"][data-overdue="true"]');
  await red.first().waitFor();
  assert.equal(await red.count(), 2);
  for (const row of await red.all()) {
    assert.match((await row.getAttribute("class")) ?? "", /assist-overdue/);
    assert.equal(await row.getByTestId("row-overdue").textContent(), "逾期");
    const bg = await row
      .locator("td")
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.equal(bg, "rgb(255, 241, 240)");
  }
  await page.getByTestId("rows-overdue").click();
  await page.waitForURL(/overdue=true/);
  assert.equal(await red.count(), 2);
  await snapshot(page, "assist-list-overdue-desktop");
  // In English the states are the server's English labels, and the red tags say so too.
  await page.getByTestId("language-en").click();
  await page
    .getByTestId("assist-overdue-banner")
    .getByText("2 rows are overdue: account for them now")
    .waitFor();
  const qian = rowOf(page, "钱协查");
  await qian.getByTestId("row-state").getByText("Dispatched", { exact: true }).waitFor();
  assert.equal(await qian.getByTestId("row-overdue").textContent(), "Overdue");
  await page.getByTestId("language-zh").click();
  await page.getByTestId("assist-overdue-banner").getByText("2 行已逾期，请尽快落实").waitFor();
  const url = `${cordon.baseUrl}/assist-lists/${list.id}`;
  await context.close();

  // A grid worker's phone: the table scrolls sideways inside the page, the page itself does not.
  const phone = await overdueContext({ width: 390, height: 844 });
  const p = await phone.newPage();
  await logIn(p, cordon, "grid");
  await p.goto(url);
  await p.getByTestId("rows-table").waitFor();
  await p.locator('[data-testid="assist-row"][data-overdue="true"]').first().waitFor();
  const widths = await p.evaluate(() => {
    const content = document.querySelector(
      '[data-testid="rows-table"] .ant-table-content, [data-testid="rows-table"] .ant-table-body',
    );
    return {
      page: document.documentElement.scrollWidth,
      tableScroll: content?.scrollWidth ?? 0,
      tableClient: content?.clientWidth ?? 0,
    };
  });
  assert.ok(widths.page <= 390, `the page is ${widths.page}px wide`);
  assert.ok(widths.tableScroll > widths.tableClient, JSON.stringify(widths));
  await snapshot(p, "assist-list-overdue-phone");

  await rowOf(p, "钱协查").getByTestId("row-record").click();
  const dialog = p.locator(".ant-modal").filter({ has: p.getByTestId("outcome-submit") });
  await dialog.waitFor();
  // Once the dialog has finished opening (a trial click waits until the button stops moving).
  await p.getByTestId("outcome-submit").click({ trial: true });
  const box = await dialog.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
  await snapshot(p, "assist-outcome-dialog-phone");
  // Meanwhile the command records the same person as controlled: the worker's submit finds the row
  // changed, is told so, and sees it as it now is.
  const command = await apiSession("command");
  const [qianRow] = (await apiCall(command, "GET", `/api/assist-lists/${list.id}/rows?q=13995110002`)).items;
  await apiCall(
    command,
    "POST",
    `/api/assist-lists/${list.id}/rows/${qianRow.id}/outcome`,
    JSON.stringify({ outcome: "controlled", at: serverNow().toISOString(), version: qianRow.version }),
  );
  await p.getByTestId("outcome-submit").click();
  await p.getByText("此行已被他人更新，已重新加载，请核对后再操作").waitFor();
  await rowOf(p, "钱协查", "controlled").waitFor();
  await waitForCount(p, "overdue", 1);

  // The grid worker's lists on the phone: the district's evening list, and the region's list of the
  // afternoon reaching into Xingqing, counted for the district's part.
  await p.goto(`${cordon.baseUrl}/assist-lists`);
  await p.getByTestId(`assist-list-${list.id}`).waitFor();
  await p.getByTestId("assist-list-link").filter({ hasText: "兴庆区协查名单-第7批" }).click();
  await p.getByTestId("assist-scoped").waitFor();
  await p.getByTestId("assist-all-accounted").waitFor();
  await p.goto(`${cordon.baseUrl}/assist-lists`);
  await p.getByTestId(`assist-list-${list.id}`).waitFor();
  await snapshot(p, "assist-lists-phone");
  await phone.close();
});
