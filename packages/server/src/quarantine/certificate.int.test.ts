import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import jsQRModule from "jsqr";
import { PDFDocument } from "pdf-lib";
import { v7 as uuidv7 } from "uuid";
import { AppError } from "../http/errors.ts";
import { firstPdfImage } from "../testing/pdf-image.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { placeDirectly } from "../testing/quarantine-fixtures.ts";
import { testEngines } from "../testing/test-db.ts";
import { certificatePdf, maskName } from "./certificate.ts";

// 兴庆区 (640104), Yinchuan: 马晓燕 spent 7 days at a hotel used as a quarantine site and is released on
// schedule; the site hands her the release certificate (解除隔离告知书), which anyone can verify by its QR code.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const COMMUNITY = "640104001002";
const JINFENG = "640105";

// jsqr is CommonJS with a `default` of itself: typed as the module, called as the function.
const jsQR = jsQRModule.default;

for (const engine of testEngines()) {
  describe(`release certificate (解除隔离告知书) and its public verification (${engine})`, () => {
    let t: TestApp;
    const clock = new Date("2022-08-08T10:00:00+08:00");
    let staff: string;
    let otherStaff: string;
    let citizen: string;
    let otherCitizen: string;
    let released: string;
    let stillPlaced: string;
    let documentNumber: string;
    const certificateId = randomUUID();

    before(async () => {
      t = await testApp(engine, () => clock);
      const command = await t.userSession("command", XINGQING);
      staff = await t.userSession("quarantine_staff", XINGQING);
      otherStaff = await t.userSession("quarantine_staff", JINFENG);
      const s = await t.call(command, "POST", "/api/quarantine/sites", {
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街88号",
        regionCode: TOWNSHIP,
      });
      assert.equal(s.status, 201, JSON.stringify(s.json()));
      const rooms = await t.call(command, "POST", `/api/quarantine/sites/${s.json().id}/rooms`, {
        from: 101,
        to: 102,
        prefix: "A",
        type: "single",
      });
      const ma = personPayload(COMMUNITY, 51, { name: "马晓燕" });
      documentNumber = ma.documentNumber;
      const p1 = await t.call(command, "POST", "/api/people", ma);
      const p2 = await t.call(
        command,
        "POST",
        "/api/people",
        personPayload(COMMUNITY, 52, { name: "李建国" }),
      );
      released = await placeDirectly(
        t,
        {
          personId: p1.json().id,
          siteId: s.json().id,
          roomId: rooms.json().items[0].id,
          placedAt: "2022-08-01T21:00:00+08:00",
        },
        { at: "2022-08-08T09:30:00+08:00", certificateId },
      );
      stillPlaced = await placeDirectly(t, {
        personId: p2.json().id,
        siteId: s.json().id,
        roomId: rooms.json().items[1].id,
        placedAt: "2022-08-03T21:00:00+08:00",
      });
      citizen = await t.userSession("citizen", XINGQING, { personId: p1.json().id });
      otherCitizen = await t.userSession("citizen", XINGQING, { personId: p2.json().id });
    });
    after(() => t.close());

    test("the site prints 马晓燕's certificate: a real PDF carrying its id, and a QR code of the verification address", async () => {
      const r = await t.app.inject({
        method: "GET",
        url: `/api/quarantine/placements/${released}/certificate.pdf`,
        headers: { cookie: staff, host: "jk.yinchuan.gov.cn", "x-forwarded-proto": "https" },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers["content-type"], "application/pdf");
      const bytes = r.rawPayload;
      assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
      assert.match(bytes.subarray(-1024).toString("latin1"), /startxref\s+\d+\s+%%EOF\s*$/);
      const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
      assert.equal(pdf.getPageCount(), 1);
      assert.equal(pdf.getTitle(), "解除隔离告知书 / Release from quarantine");
      assert.equal(pdf.getSubject(), `Certificate ${certificateId}`);
      assert.equal(pdf.getAuthor(), "兴庆区", "issued by the site's county");
      const url = `https://jk.yinchuan.gov.cn/verify/${certificateId}`;
      assert.match(pdf.getKeywords() ?? "", new RegExp(url));
      const img = firstPdfImage(pdf);
      const decoded = jsQR(img.data, img.width, img.height);
      assert.ok(decoded, "the QR code decodes");
      assert.equal(decoded.data, url);
      const audit = await t.db.query<{ entity_id: string; after: { certificateId: string } }>(
        `SELECT entity_id, after FROM audit_log WHERE action = 'quarantine.certificate'`,
      );
      assert.equal(audit.rows.length, 1);
      assert.equal(audit.rows[0]!.entity_id, released);
      assert.equal(audit.rows[0]!.after.certificateId, certificateId);
    });

    test("马晓燕 may download her own certificate; another resident and another county's staff may not", async () => {
      const own = await t.call(citizen, "GET", `/api/quarantine/placements/${released}/certificate.pdf`);
      assert.equal(own.status, 200);
      const other = await t.call(
        otherCitizen,
        "GET",
        `/api/quarantine/placements/${released}/certificate.pdf`,
      );
      assert.equal(other.status, 403);
      const outside = await t.call(
        otherStaff,
        "GET",
        `/api/quarantine/placements/${released}/certificate.pdf`,
      );
      assert.equal(outside.status, 403);
    });

    test("a person still in quarantine has no certificate yet (409)", async () => {
      const r = await t.call(staff, "GET", `/api/quarantine/placements/${stillPlaced}/certificate.pdf`);
      assert.equal(r.status, 409);
      assert.equal(r.json().error.code, "certificate.not_released");
      assert.match(r.json().error.message, /尚未解除隔离/);
    });

    test("anyone scanning the code sees it is valid, with her name and document masked, without logging in", async () => {
      const r = await t.call(null, "GET", `/api/public/certificates/${certificateId}`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual(r.json(), {
        valid: true,
        certificateId,
        personNameMasked: "马*燕",
        documentNumberMasked: `${documentNumber.slice(0, 6)}********${documentNumber.slice(14)}`,
        siteName: "宁安宾馆",
        placedOn: "2022-08-01",
        releasedOn: "2022-08-08",
        releaseKind: "on_schedule",
        releaseKindLabel: { zh: "期满解除", en: "Released on schedule" },
        issuedBy: "兴庆区",
      });
      const body = JSON.stringify(r.json());
      assert.ok(!body.includes("马晓燕") && !body.includes(documentNumber), "no PII beyond the masked forms");
    });

    test("a made-up certificate number is not valid: 404 in Chinese and English", async () => {
      const zh = await t.call(null, "GET", `/api/public/certificates/${randomUUID()}`);
      assert.equal(zh.status, 404);
      assert.equal(zh.json().error.code, "certificate.not_found");
      assert.match(zh.json().error.message, /查无此解除隔离告知书/);
      const en = await t.call(null, "GET", `/api/public/certificates/${randomUUID()}`, undefined, {
        "accept-language": "en",
      });
      assert.match(en.json().error.message, /No such certificate/);
    });

    test("names are masked like 张*三", () => {
      assert.deepEqual(["张三", "张小三", "欧阳小明", "Li"].map(maskName), ["张*", "张*三", "欧**明", "L*"]);
    });

    test("without the CJK font the server answers 503 naming the package to install", async () => {
      const ctx = {
        actor: {
          userId: uuidv7(),
          username: "s",
          displayName: "s",
          role: "quarantine_staff" as const,
          jurisdiction: XINGQING,
          personId: null,
        },
        ip: "test",
        lang: "zh-CN" as const,
        now: clock,
      };
      await assert.rejects(
        certificatePdf(t.db, ctx, released, "http://localhost", { fontPath: "/nonexistent/NotoSansCJK.ttc" }),
        (e: unknown) =>
          e instanceof AppError &&
          e.status === 503 &&
          e.code === "certificate.font_missing" &&
          e.msg.zh.includes("fonts-noto-cjk") &&
          e.msg.en.includes("fonts-noto-cjk"),
      );
    });
  });
}
