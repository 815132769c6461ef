import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import jsQRModule from "jsqr";
import { PDFDocument } from "pdf-lib";
import { firstPdfImage } from "../testing/pdf-image.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";
import { purgeExpiredScans } from "./scan-partitions.ts";

// Xingqing district, Yinchuan (640104): a supermarket on Jiefang Street.
const COMMUNITY = "640104001002";
const OUTSIDE = "530302001001";
const jsQR = jsQRModule.default;

for (const engine of testEngines()) {
  describe(`venues and check-in at the door (${engine})`, () => {
    let t: TestApp;
    let clock = new Date("2026-03-10T10:00:00+08:00");
    let manager: string;
    let venueId: string;
    let token: string;
    let deviceId: string;
    let seq = 0;
    const people: { id: string; ref: string; session: string }[] = [];

    const gate = (body: unknown, bearer: string | null = token, lang = "zh-CN") =>
      t.app.inject({
        method: "POST",
        url: "/api/checkin/gate",
        headers: {
          "content-type": "application/json",
          "accept-language": lang,
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        payload: typeof body === "string" ? body : JSON.stringify(body),
      });
    const scan = (i: number, over: Record<string, unknown> = {}) => ({
      ref: people[i]!.ref,
      colour: "green",
      vaccination: 3,
      temperature: 36.4,
      at: clock.toISOString(),
      decision: "admit",
      ...over,
    });
    const stored = async (where = "TRUE", params: unknown[] = []) =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM venue_scans WHERE ${where}`, params))
        .rows[0]!.n;

    before(async () => {
      t = await testApp(engine, () => clock);
      const admin = await t.userSession("administrator", "000000");
      manager = await t.userSession("venue", "640104");
      for (let i = 0; i < 3; i++) {
        const r = await t.call(admin, "POST", "/api/people", personPayload(COMMUNITY, 700 + i));
        assert.equal(r.status, 201, JSON.stringify(r.json()));
        const ref = randomBytes(16).toString("hex");
        await t.db.query(
          `INSERT INTO health_codes (person_id, ref, colour, since, reasons, computed_at)
           VALUES ($1, decode($2, 'hex'), $3, $4, '[]', $4)
           ON CONFLICT (person_id) DO UPDATE SET ref = excluded.ref, colour = excluded.colour`,
          [r.json().id, ref, i === 2 ? "yellow" : "green", clock],
        );
        people.push({
          id: r.json().id,
          ref,
          session: await t.userSession("citizen", COMMUNITY, { personId: r.json().id }),
        });
      }
    });
    after(() => t.close());

    test("a venue manager registers a supermarket in their district; wrong input is refused field by field, in both languages", async () => {
      const bad = await t.call(manager, "POST", "/api/venues", {
        name: " ",
        kind: "casino",
        regionCode: COMMUNITY,
        address: "",
        capacity: 0,
        lat: 38.47,
      });
      assert.equal(bad.status, 422);
      assert.deepEqual(
        bad.json().error.fields.map((f: { field: string; code: string }) => `${f.field}:${f.code}`),
        [
          "name:venue.name_required",
          "kind:venue.kind_unknown",
          "address:venue.address_required",
          "capacity:venue.capacity_invalid",
          "lon:venue.coordinates_partial",
        ],
      );
      assert.equal(bad.json().error.fields[0].message, "请填写场所名称");
      const outside = await t.call(manager, "POST", "/api/venues", {
        name: "麒麟区超市",
        kind: "supermarket",
        regionCode: OUTSIDE,
        address: "南宁北路1号",
      });
      assert.equal(outside.status, 403);
      const citizen = await t.call(people[0]!.session, "POST", "/api/venues", {
        name: "新华百货",
        kind: "supermarket",
        regionCode: COMMUNITY,
        address: "解放西街2号",
      });
      assert.equal(citizen.status, 403);
      const r = await t.call(manager, "POST", "/api/venues", {
        name: "新华百货（解放街店）",
        kind: "supermarket",
        regionCode: COMMUNITY,
        address: "解放西街2号",
        capacity: 800,
        lat: 38.4681,
        lon: 106.2731,
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      venueId = r.json().id;
      const list = await t.call(manager, "GET", "/api/venues?q=新华");
      assert.equal(list.json().total, 1);
      assert.equal(list.json().items[0].regionName.length > 0, true);
      const audit = await t.db.query(
        `SELECT 1 FROM audit_log WHERE action = 'venue.create' AND entity_id = $1`,
        [venueId],
      );
      assert.equal(audit.rowCount, 1);
    });

    test("a change made from a stale version is refused; a current one is stored and audited", async () => {
      const stale = await t.call(manager, "PATCH", `/api/venues/${venueId}`, { capacity: 600, version: 7 });
      assert.equal(stale.status, 409);
      const r = await t.call(manager, "PATCH", `/api/venues/${venueId}`, { capacity: 600, version: 1 });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().capacity, 600);
      assert.equal(r.json().version, 2);
    });

    test("the poster's QR code opens the check-in page of this venue", async () => {
      const r = await t.app.inject({
        method: "GET",
        url: `/api/venues/${venueId}/poster.pdf`,
        headers: { cookie: manager, host: "jk.yinchuan.gov.cn", "x-forwarded-proto": "https" },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers["content-type"], "application/pdf");
      const pdf = await PDFDocument.load(r.rawPayload, { updateMetadata: false });
      assert.equal(pdf.getPageCount(), 1);
      const url = `https://jk.yinchuan.gov.cn/checkin?venue=${venueId}`;
      const img = firstPdfImage(pdf);
      assert.equal(jsQR(img.data, img.width, img.height)?.data, url);
    });

    test("a gate device is registered once with a token; its upload is stored when committed, unknown codes are not", async () => {
      const r = await t.call(manager, "POST", `/api/venues/${venueId}/devices`, { name: "东门1号机" });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      token = r.json().token;
      deviceId = r.json().device.id;
      const up = await gate({
        seq: ++seq,
        deviceTime: clock.toISOString(),
        scans: [
          scan(0),
          scan(2, { colour: "yellow", decision: "refuse" }),
          scan(1, { ref: "ab".repeat(16) }),
        ],
      });
      assert.equal(up.statusCode, 200, up.body);
      assert.deepEqual(up.json(), { accepted: 2, duplicate: false });
      assert.equal(await stored("device_id = $1", [deviceId]), 2);
      const refused = await t.db.query<{ person_id: string; decision: string; temperature: number }>(
        `SELECT person_id, decision, temperature FROM venue_scans WHERE colour = 'yellow'`,
      );
      assert.equal(refused.rows[0]!.person_id, people[2]!.id);
      assert.equal(refused.rows[0]!.decision, "refuse");
      const view = await t.call(manager, "GET", `/api/venues/${venueId}/scans`);
      assert.equal(view.json().admitted, 1);
      assert.equal(view.json().refused, 1);
    });

    test("the same batch sent again is answered as before and stored once; the same seq with other content is refused", async () => {
      const body = { seq: ++seq, deviceTime: clock.toISOString(), scans: [scan(1)] };
      assert.deepEqual((await gate(body)).json(), { accepted: 1, duplicate: false });
      const again = await gate({ ...body, deviceTime: new Date(clock.getTime() + 5000).toISOString() });
      assert.deepEqual(again.json(), { accepted: 1, duplicate: true });
      assert.equal(await stored("seq = $1", [seq]), 1);
      const other = await gate({ ...body, scans: [scan(0)] }, token, "en");
      assert.equal(other.statusCode, 409);
      assert.equal(other.json().error.code, "checkin.seq_reused");
      assert.match(other.json().error.message, /new seq/);
      assert.equal(await stored("seq = $1", [seq]), 1);
    });

    test("a device whose clock is two hours slow has its scans moved to the server's time", async () => {
      const slow = new Date(clock.getTime() - 2 * 3_600_000);
      const r = await gate({
        seq: ++seq,
        deviceTime: slow.toISOString(),
        scans: [scan(0, { at: new Date(slow.getTime() - 60_000).toISOString() })],
      });
      assert.equal(r.statusCode, 200, r.body);
      const at = await t.db.query<{ at: Date }>(`SELECT at FROM venue_scans WHERE seq = $1`, [seq]);
      assert.equal(at.rows[0]!.at.getTime(), clock.getTime() - 60_000);
    });

    test("scans in the future or past the 30-day retention refuse the whole batch, with the scan named", async () => {
      const before = await stored();
      const future = await gate({
        seq: ++seq,
        deviceTime: clock.toISOString(),
        scans: [scan(0), scan(1, { at: new Date(clock.getTime() + 3_600_000).toISOString() })],
      });
      assert.equal(future.statusCode, 422);
      assert.equal(future.json().error.fields[0].field, "scans.1.at");
      assert.equal(future.json().error.fields[0].code, "checkin.at_future");
      const old = await gate({
        seq: ++seq,
        deviceTime: clock.toISOString(),
        scans: [scan(0, { at: new Date(clock.getTime() - 31 * 86_400_000).toISOString() })],
      });
      assert.equal(old.statusCode, 422);
      assert.equal(old.json().error.fields[0].code, "checkin.at_expired");
      assert.equal(await stored(), before);
    });

    test("bad input is a clear 4xx, never a 500, and stores nothing", async () => {
      const before = await stored();
      const cases: [unknown, string | null, number, string][] = [
        ['{"seq": 1, "scans": [', token, 400, "malformed_json"],
        [{ seq: "x", deviceTime: clock.toISOString(), scans: [scan(0)] }, token, 400, "validation_failed"],
        [{ seq: ++seq, deviceTime: clock.toISOString(), scans: [] }, token, 400, "validation_failed"],
        [
          { seq: ++seq, deviceTime: clock.toISOString(), scans: [scan(0, { ref: "zz" })] },
          token,
          422,
          "validation_failed",
        ],
        [
          { seq: ++seq, deviceTime: clock.toISOString(), scans: [scan(0, { vaccination: 7 })] },
          token,
          422,
          "validation_failed",
        ],
        [
          { seq: ++seq, deviceTime: clock.toISOString(), scans: [scan(0)] },
          null,
          401,
          "device.token_missing",
        ],
        [
          { seq: ++seq, deviceTime: clock.toISOString(), scans: [scan(0)] },
          `${token}x`,
          401,
          "device.token_invalid",
        ],
      ];
      for (const [body, bearer, status, code] of cases) {
        const r = await gate(body, bearer);
        assert.equal(r.statusCode, status, `${JSON.stringify(body).slice(0, 60)}: ${r.body}`);
        assert.equal(r.json().error.code, code);
      }
      assert.equal(await stored(), before);
    });

    test("a revoked device's uploads are refused and nothing is stored", async () => {
      const d = await t.call(manager, "POST", `/api/venues/${venueId}/devices`, { name: "西门2号机" });
      const second = d.json().token;
      const ok = await gate({ seq: 1, deviceTime: clock.toISOString(), scans: [scan(0)] }, second);
      assert.equal(ok.statusCode, 200, ok.body);
      const rv = await t.call(manager, "POST", `/api/venues/${venueId}/devices/${d.json().device.id}/revoke`);
      assert.equal(rv.status, 200, JSON.stringify(rv.json()));
      const before = await stored();
      const r = await gate({ seq: 2, deviceTime: clock.toISOString(), scans: [scan(1)] }, second);
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().error.code, "device.revoked");
      assert.equal(await stored(), before);
    });

    test("a device uploading faster than its rate is told to wait (429 with Retry-After)", async () => {
      const d = await t.call(manager, "POST", `/api/venues/${venueId}/devices`, { name: "北门3号机" });
      const noisy = d.json().token;
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          gate({ seq: i, deviceTime: clock.toISOString(), scans: [scan(i % 3)] }, noisy),
        ),
      );
      const limited = answers.filter((a) => a.statusCode === 429);
      assert.ok(limited.length > 0, "some uploads were limited");
      assert.ok(Number(limited[0]!.headers["retry-after"]) >= 1);
      assert.equal(answers.filter((a) => a.statusCode === 200).length + limited.length, 60);
    });

    test("concurrent single scans are all stored, each answered after its commit", async () => {
      const before = await stored();
      const devices: string[] = [];
      for (let i = 0; i < 10; i++)
        devices.push(
          (await t.call(manager, "POST", `/api/venues/${venueId}/devices`, { name: `闸机${i}` })).json()
            .token,
        );
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          gate({ seq: 100 + i, deviceTime: clock.toISOString(), scans: [scan(i % 2)] }, devices[i % 10]!),
        ),
      );
      assert.deepEqual(
        answers.map((a) => a.statusCode).filter((s) => s !== 200),
        [],
      );
      assert.equal(await stored(), before + 200);
    });

    test("a citizen scanning the venue code is checked in with their colour: green enters, yellow does not", async () => {
      const info = await t.call(people[0]!.session, "GET", `/api/checkin/venues/${venueId}`);
      assert.equal(info.json().name, "新华百货（解放街店）");
      const green = await t.call(people[0]!.session, "POST", "/api/checkin/self", { venueId });
      assert.equal(green.status, 200, JSON.stringify(green.json()));
      assert.equal(green.json().colour, "green");
      assert.equal(green.json().decision, "admit");
      const yellow = await t.call(people[2]!.session, "POST", "/api/checkin/self", { venueId });
      assert.equal(yellow.json().colour, "yellow");
      assert.equal(yellow.json().decision, "refuse");
      assert.equal(await stored("way = 'self' AND person_id = $1", [people[0]!.id]), 1);
      const staffOnly = await t.call(manager, "POST", "/api/checkin/self", { venueId });
      assert.equal(staffOnly.status, 403);
      assert.equal(staffOnly.json().error.code, "checkin.no_person");
    });

    test("a closed venue takes no check-ins either way", async () => {
      const v = (await t.call(manager, "GET", `/api/venues/${venueId}`)).json();
      const r = await t.call(manager, "PATCH", `/api/venues/${venueId}`, {
        active: false,
        version: v.version,
      });
      assert.equal(r.status, 200);
      const self = await t.call(people[0]!.session, "POST", "/api/checkin/self", { venueId });
      assert.equal(self.status, 409);
      const up = await gate({ seq: ++seq, deviceTime: clock.toISOString(), scans: [scan(0)] });
      assert.equal(up.statusCode, 409);
      assert.equal(up.json().error.code, "checkin.venue_inactive");
      await t.call(manager, "PATCH", `/api/venues/${venueId}`, { active: true, version: v.version + 1 });
    });

    test("31 days later the day's scans are purged whole, and a new day's scans are stored", async () => {
      assert.ok((await stored()) > 0);
      clock = new Date(clock.getTime() + 31 * 86_400_000);
      const purged = await purgeExpiredScans(t.db, clock, 30);
      assert.ok(purged.droppedDays.includes("2026-03-10"));
      assert.equal(await stored("at < $1", [new Date(clock.getTime() - 30 * 86_400_000)]), 0);
      assert.ok(purged.batchesDeleted > 0);
      const r = await gate({ seq: ++seq, deviceTime: clock.toISOString(), scans: [scan(0)] });
      assert.equal(r.statusCode, 200, r.body);
    });
  });
}
