import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chromium, type Page } from "playwright-core";
import QRCode from "qrcode";
import { apiCall, apiSession, browserSuite, logIn, snapshot } from "./browser-harness.ts";

const suite = browserSuite();
const PHONE = { width: 390, height: 844 };
const VENUE = { name: "榆次区锦纶舫商场", address: "山西省晋中市榆次区顺城街 66 号" };

/** The demo citizen's current code, freshly signed by the server. */
async function citizenCode(): Promise<{ code: string; colour: string }> {
  const cookie = await apiSession(suite.cordon, "citizen");
  const r = (await apiCall(suite.cordon, cookie, "GET", "/api/me/code")) as { code: string; colour: string };
  return { code: r.code, colour: r.colour };
}

/** The same code with the colour byte (payload byte 21) set to green and the signature kept: a forgery. */
function forgedGreen(code: string): string {
  const [prefix, payload, signature] = code.split(".") as [string, string, string];
  const bytes = Buffer.from(payload, "base64url");
  bytes[21] = bytes[21] === 1 ? 3 : 1;
  return `${prefix}.${bytes.toString("base64url")}.${signature}`;
}

async function scan(page: Page, text: string): Promise<void> {
  await page.getByTestId("scan-input").fill(text);
  await page.getByTestId("scan-input").press("Enter");
}

test("a phone checks a citizen's code, refuses a forged one, and still does both offline", async () => {
  const { code, colour } = await citizenCode();
  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: PHONE });
  const page = await context.newPage();
  await page.goto(`${suite.cordon.baseUrl}/scan`);
  await page.getByTestId("scan-online").waitFor();
  await page.locator('[data-testid="scan-input"]:not([disabled])').waitFor();

  await scan(page, code);
  const verdict = page.getByTestId("scan-verdict");
  await page.locator('[data-testid="scan-verdict"][data-ok="true"]').waitFor();
  assert.equal(await verdict.getAttribute("data-colour"), colour);
  assert.ok(((await page.getByTestId("scan-expiry").textContent()) ?? "").includes("有效至"));
  await snapshot(page, "scan-valid");

  await scan(page, forgedGreen(code));
  await page.locator('[data-testid="scan-verdict"][data-reason="bad_signature"]').waitFor();
  assert.equal(await verdict.textContent().then((t) => t?.includes("已被篡改")), true);
  await snapshot(page, "scan-tampered");

  await scan(page, code.slice(0, 60));
  await page.locator('[data-testid="scan-verdict"][data-reason="malformed"]').waitFor();

  // The service worker has cached the app; the keys and the revocation list are on the device.
  await page.getByTestId("scan-offline-ready").waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId("scan-offline").waitFor();
  await page.locator('[data-testid="scan-input"]:not([disabled])').waitFor();
  await scan(page, forgedGreen(code));
  await page.locator('[data-testid="scan-verdict"][data-reason="bad_signature"]').waitFor();
  await scan(page, code);
  await page.locator('[data-testid="scan-verdict"][data-ok="true"]').waitFor();
  await snapshot(page, "scan-offline-valid");
  await context.close();
});

test("a venue manager registers a gate; it admits at 36.5 °C, refuses at 37.6 °C, keeps a scan made offline, retries a lost acknowledgement with the same seq, and stores each scan once", async () => {
  const { code, colour } = await citizenCode();
  const cookie = await apiSession(suite.cordon, "venue");
  const venue = (await apiCall(suite.cordon, cookie, "POST", "/api/venues", {
    name: VENUE.name,
    kind: "mall",
    regionCode: "140702",
    address: VENUE.address,
    capacity: 3000,
  })) as { id: string };

  const context = await suite.browser.newContext({ locale: "zh-CN", viewport: PHONE });
  const page = await context.newPage();
  await logIn(page, suite.cordon, "venue");
  await page.goto(`${suite.cordon.baseUrl}/gate`);
  await page.getByTestId("gate-register").waitFor();
  await page.getByTestId("gate-venue").click();
  await page.getByTestId("gate-venue").locator("input").fill(VENUE.name);
  // By its full label: the demo data has venues of its own in 榆次.
  await page.locator(`.ant-select-item-option[title="${VENUE.name} · ${VENUE.address}"]`).click();
  await page.getByTestId("gate-register-submit").click();
  await page.getByTestId("gate-venue-name").waitFor();
  assert.ok(((await page.getByTestId("gate-venue-name").textContent()) ?? "").includes(VENUE.name));
  await page.locator('[data-testid="scan-input"]:not([disabled])').waitFor();

  await page.getByTestId("gate-temperature").fill("36.5");
  await page.getByTestId("gate-temperature").press("Enter");
  await scan(page, code);
  const decision = page.getByTestId("gate-decision");
  await decision.waitFor();
  const expected = colour === "green" ? "admit" : "refuse";
  assert.equal(await decision.getAttribute("data-decision"), expected);
  await snapshot(page, "gate-first-scan");

  await page.getByTestId("gate-temperature").fill("37.6");
  await page.getByTestId("gate-temperature").press("Enter");
  await scan(page, code);
  await page.locator('[data-testid="gate-decision"][data-decision="refuse"]').waitFor();
  if (colour === "green") {
    assert.match((await page.getByTestId("gate-decision-message").textContent()) ?? "", /37\.6/);
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="gate-queue"]')?.textContent === "0");
  await snapshot(page, "gate-fever");

  // The network drops: the gate still decides, and keeps the scan until it can upload it.
  await context.setOffline(true);
  await page.getByTestId("gate-temperature").fill("36.6");
  await page.getByTestId("gate-temperature").press("Enter");
  await scan(page, code);
  await page.waitForFunction(() => document.querySelector('[data-testid="gate-queue"]')?.textContent === "1");
  await page.getByTestId("gate-upload-error").waitFor();
  await snapshot(page, "gate-offline-queued");
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelector('[data-testid="gate-queue"]')?.textContent === "0");

  // The server stores a batch but its answer is lost (503 to the page): the page retries with the same
  // seq after Retry-After, and the server recognises the duplicate.
  const seqs: number[] = [];
  await page.route("**/api/checkin/gate", async (route) => {
    seqs.push((route.request().postDataJSON() as { seq: number }).seq);
    if (seqs.length > 1) return route.continue();
    await route.fetch();
    return route.fulfill({
      status: 503,
      headers: { "retry-after": "1", "content-type": "application/json" },
      body: JSON.stringify({ error: { code: "checkin.overloaded", message: "busy" } }),
    });
  });
  await page.getByTestId("gate-temperature").fill("36.7");
  await page.getByTestId("gate-temperature").press("Enter");
  await scan(page, code);
  await page.getByTestId("gate-retry").waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="gate-queue"]')?.textContent === "0");
  assert.equal(seqs.length, 2);
  assert.equal(seqs[0], seqs[1], "the retry carries the same seq");

  const scans = (await apiCall(suite.cordon, cookie, "GET", `/api/venues/${venue.id}/scans`)) as {
    items: { decision: string; temperature: number | null; colour: string }[];
  };
  const mine = scans.items.filter((s) => s.colour === colour);
  assert.deepEqual(
    mine.map((s) => `${s.decision} ${s.temperature}`).sort(),
    [`${expected} 36.5`, "refuse 37.6", `${expected} 36.6`, `${expected} 36.7`].sort(),
    "each scan stored once",
  );
  await context.close();
});

/**
 * A one-frame Y4M video (what Chromium's fake camera plays in a loop) of the QR code of `text`: the
 * phone's camera pointed at a citizen's screen.
 */
function qrVideo(text: string): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const [w, h] = [640, 480];
  const scale = Math.floor(h / (n + 8));
  const offX = Math.floor((w - n * scale) / 2);
  const offY = Math.floor((h - n * scale) / 2);
  const y = Buffer.alloc(w * h, 235);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++)
      if (qr.modules.get(r, c))
        for (let dy = 0; dy < scale; dy++)
          y.fill(
            16,
            (offY + r * scale + dy) * w + offX + c * scale,
            (offY + r * scale + dy) * w + offX + (c + 1) * scale,
          );
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), y, chroma]);
}

test("a phone's camera reads a citizen's QR code and verifies it", async () => {
  const { code, colour } = await citizenCode();
  const dir = mkdtempSync(join(tmpdir(), "cordon-camera-"));
  const video = join(dir, "qr.y4m");
  writeFileSync(video, qrVideo(code));
  const browser = await chromium.launch({
    executablePath: process.env.CORDON_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const context = await browser.newContext({ locale: "zh-CN", viewport: PHONE, reducedMotion: "reduce" });
    const page = await context.newPage();
    await page.goto(`${suite.cordon.baseUrl}/scan`);
    await page.locator('[data-testid="scan-input"]:not([disabled])').waitFor();
    await page.getByTestId("scan-camera").click();
    await page.locator('[data-testid="scan-verdict"][data-ok="true"]').waitFor();
    assert.equal(await page.getByTestId("scan-verdict").getAttribute("data-colour"), colour);
    await snapshot(page, "scan-camera");
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
