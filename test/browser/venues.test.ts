import assert from "node:assert/strict";
import { test } from "node:test";
import { browserSuite, logIn, snapshot } from "./browser-harness.ts";

// 崇安社区, Xingqing district, Yinchuan: where the demo citizen lives.
const COMMUNITY = "640104001002";

const suite = browserSuite();

test("the command registers a supermarket and prints its venue code; a resident who scans it is checked in with their colour", async () => {
  const staff = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 1440, height: 900 } });
  const page = await staff.newPage();
  await logIn(page, suite.cordon, "command");
  await page.getByTestId("nav-venues").click();
  await page.waitForURL("**/venues");
  await page.getByTestId("venues-table").waitFor();

  await page.getByTestId("venue-create").click();
  await page.getByTestId("venue-form-name").fill("新华百货（解放街店）");
  await page.getByTestId("venue-form-kind").click();
  await page.locator(".ant-select-item-option").getByText("超市").click();
  await page.getByTestId("venue-form-region").click();
  await page.getByTestId("venue-form-region").locator("input").fill(COMMUNITY);
  await page.getByTestId(`region-option-${COMMUNITY}`).click();
  await page.getByTestId("venue-form-address").fill("解放西街2号");
  await page
    .locator('input[data-testid="venue-form-capacity"], [data-testid="venue-form-capacity"] input')
    .first()
    .fill("800");
  await page.getByTestId("venue-form-submit").click();

  const name = page.getByTestId("venue-name").filter({ hasText: "新华百货（解放街店）" });
  await name.waitFor();
  const venueId = (await name.getAttribute("data-id")) ?? "";
  const row = page.locator("tr", { has: name });
  assert.match(venueId, /^[0-9a-f-]{36}$/);
  assert.equal(
    await row.getByTestId("venue-poster").getAttribute("href"),
    `/api/venues/${venueId}/poster.pdf`,
  );
  const poster = await page.request.get(`${suite.cordon.baseUrl}/api/venues/${venueId}/poster.pdf`);
  assert.equal(poster.status(), 200);
  assert.equal(poster.headers()["content-type"], "application/pdf");
  await snapshot(page, "venues-list");

  // The resident's phone opens the link in the poster's QR code, logs in, and checks in.
  const phone = await suite.browser.newContext({ locale: "zh-CN", viewport: { width: 390, height: 844 } });
  const citizen = await phone.newPage();
  await logIn(citizen, suite.cordon, "citizen");
  await citizen.goto(`${suite.cordon.baseUrl}/checkin?venue=${venueId}`);
  await citizen.getByTestId("checkin-venue-name").waitFor();
  assert.equal(await citizen.getByTestId("checkin-venue-name").textContent(), "新华百货（解放街店）");
  await citizen.getByTestId("checkin-submit").click();
  const result = citizen.getByTestId("checkin-result");
  await result.waitFor();
  const colour = await citizen.getByTestId("checkin-colour").getAttribute("data-colour");
  assert.ok(["green", "yellow", "red", "grey"].includes(colour ?? ""), `colour ${colour}`);
  assert.equal(await result.getAttribute("data-decision"), colour === "green" ? "admit" : "refuse");
  await snapshot(citizen, "venue-checkin");

  // The check-in is in the venue's list of the last 24 hours.
  await row.getByTestId("venue-scans").click();
  await page.getByTestId("venue-scans-table").locator("tbody tr.ant-table-row").first().waitFor();
  await phone.close();
  await staff.close();
});
