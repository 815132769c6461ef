import assert from "node:assert/strict";
import { test } from "node:test";
import { browserSuite, logIn, snapshot } from "./browser-harness.ts";

const suite = browserSuite();

test("a grid worker corrects a resident's mobile number, and the administrator finds the change and the identifier read in the audit log", async () => {
  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));

  // The grid worker of 兴庆区 logs in and opens the registry of their jurisdiction.
  await logIn(page, suite.cordon, "grid");
  assert.equal(await page.getByTestId("current-user-role").textContent(), "网格员");
  // This installation holds synthetic demo people, and every page says so.
  assert.equal(await page.getByTestId("demo-tag").textContent(), "演示环境");
  await page.getByTestId("nav-people").click();
  const rows = page.locator("[data-testid=people-table] tr[data-testid^=person-row-]");
  await rows.first().waitFor();

  // They note a resident's masked ID number and search by its last four digits.
  const row = rows.nth(2);
  const name = (await row.locator("td").first().textContent())?.trim() ?? "";
  const masked = (await row.getByTestId("masked-document").textContent())?.trim() ?? "";
  assert.match(masked, /^\d{6}\*+[\dX]{4}$/, `masked ID number ${masked}`);
  const last4 = masked.slice(-4);
  await page
    .locator("input[data-testid=people-search], [data-testid=people-search] input")
    .first()
    .fill(last4);
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.searchParams.get("q") === last4);
  // The table has the search result once every row matches (the previous page is replaced, not appended).
  await page.waitForFunction((digits) => {
    const trs = [...document.querySelectorAll("[data-testid=people-table] tr[data-testid^=person-row-]")];
    return (
      trs.length > 0 &&
      trs.every((tr) =>
        [...tr.querySelectorAll("[data-testid=masked-document], [data-testid=masked-phone]")].some((el) =>
          (el.textContent ?? "").endsWith(digits),
        ),
      )
    );
  }, last4);
  const found = page
    .locator("[data-testid=people-table] tr[data-testid^=person-row-]")
    .filter({ hasText: name })
    .filter({ hasText: masked });
  await found.first().waitFor();
  // Every hit ends with those digits, in the ID number or the mobile number.
  for (const r of await rows.all()) {
    const doc = (await r.getByTestId("masked-document").textContent()) ?? "";
    const phone = (await r.getByTestId("masked-phone").textContent()) ?? "";
    assert.ok(doc.endsWith(last4) || phone.endsWith(last4), `${doc} / ${phone} does not end with ${last4}`);
  }
  await snapshot(page, "people-search");

  // The detail shows the full ID number, and says that this view is audited.
  const personId = ((await found.first().getAttribute("data-testid")) ?? "").replace("person-row-", "");
  await found.first().click();
  await page.waitForURL(`**/people/${personId}`);
  const fullId = (await page.getByTestId("person-document-number").textContent())?.trim() ?? "";
  assert.match(fullId, /^\d{17}[\dX]$/);
  assert.ok(fullId.startsWith(masked.slice(0, 6)) && fullId.endsWith(last4));
  assert.equal(await page.getByTestId("pii-audit-notice").textContent(), "查看完整信息已记录审计");
  assert.ok(((await page.getByTestId("person-region-path").textContent()) ?? "").includes("兴庆区"));
  await snapshot(page, "person-detail");

  // A wrong mobile number is refused by the server, and the reason shows under the mobile field.
  await page.getByTestId("person-edit").click();
  const phoneInput = page.locator("[data-testid=field-phone] input");
  await phoneInput.fill("12345");
  await page.getByTestId("person-save").click();
  const phoneError = page.locator("[data-testid=field-phone] .ant-form-item-explain-error");
  await phoneError.waitFor();
  const phoneErrorText = (await phoneError.textContent()) ?? "";
  assert.ok(phoneErrorText.includes("12345") && phoneErrorText.includes("11位"), phoneErrorText);
  assert.equal(await page.locator("[data-testid=field-name] .ant-form-item-explain-error").count(), 0);
  await snapshot(page, "person-phone-error");

  // The corrected number is saved; the detail shows it.
  await phoneInput.fill("13912345678");
  await page.getByTestId("person-save").click();
  await page.waitForURL(`**/people/${personId}`);
  await page.getByTestId("person-phone").getByText("13912345678").waitFor();

  // The administrator finds both the change and the full-identifier read of that person.
  await page.getByTestId("logout").click();
  await page.getByTestId("login-form").waitFor();
  await logIn(page, suite.cordon, "admin");
  await page.getByTestId("nav-audit").click();
  await page.getByTestId("audit-table").waitFor();
  await page.getByTestId("audit-filter-entity-id").fill(personId);
  await page.getByTestId("audit-search").click();
  await page.waitForURL((u) => u.searchParams.get("entityId") === personId);
  const update = page.getByTestId("audit-row-person.update");
  await update.waitFor();
  assert.ok(((await update.textContent()) ?? "").includes("修改人员"));
  assert.ok(((await update.textContent()) ?? "").includes("grid"));
  assert.ok((await page.getByTestId("audit-row-person.pii_read").count()) >= 1);
  await update.locator(".ant-table-row-expand-icon").click();
  await page.getByTestId("audit-after").getByText("13912345678").waitFor();
  assert.ok(((await page.getByTestId("audit-before").textContent()) ?? "").includes('"phone"'));
  await snapshot(page, "audit-zh");

  // In English, the navigation, the table headers and the action labels are English.
  await page.getByTestId("language-en").click();
  await page.getByTestId("nav-audit").getByText("Audit log").waitFor();
  const headers = (await page.locator("[data-testid=audit-table] thead th").allTextContents()).join("|");
  for (const h of ["Time", "Actor", "Role", "Action", "Entity", "Region"])
    assert.ok(headers.includes(h), headers);
  assert.ok(((await update.textContent()) ?? "").includes("Person changed"));
  assert.equal((await page.getByTestId("logout").textContent())?.trim(), "Log out");
  assert.equal(await page.getByTestId("nav-people").textContent(), "People registry");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await snapshot(page, "audit-en");

  // The choice is remembered across a reload.
  await page.reload();
  await page.getByTestId("nav-audit").getByText("Audit log").waitFor();

  assert.deepEqual(pageErrors, []);
  await context.close();
});
