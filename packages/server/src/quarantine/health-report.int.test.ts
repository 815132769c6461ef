import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { v7 as uuidv7 } from "uuid";
import { systemContext } from "../http/context.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { placeDirectly } from "../testing/quarantine-fixtures.ts";
import { testEngines } from "../testing/test-db.ts";
import { recordHealthReport } from "./health-report.service.ts";

// 兴庆区 (640104), Yinchuan: a hotel used as a centralized quarantine site (集中隔离点). Close contacts
// are placed on the evening of 2022-08-01 for 7 days (9th edition: 7 days centralized); staff take
// temperatures twice a day, residents may report from their phone.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const COMMUNITY = "640104001002";
const JINFENG = "640105";
const PLACED_AT = "2022-08-01T21:00:00+08:00";

for (const engine of testEngines()) {
  describe(`health monitoring at a quarantine site (${engine})`, () => {
    let t: TestApp;
    let clock = new Date("2022-08-03T19:00:00+08:00");
    let command: string;
    let staff: string;
    let otherStaff: string;
    let citizen: string;
    let notPlacedCitizen: string;
    let siteId: string;
    const people: string[] = [];
    const placements: string[] = [];

    const stored = async () =>
      (
        await t.db.query<{ r: number; a: number }>(
          `SELECT (SELECT count(*)::int FROM health_reports) AS r,
             (SELECT count(*)::int FROM audit_log WHERE action = 'quarantine.health_report') AS a`,
        )
      ).rows[0]!;

    before(async () => {
      t = await testApp(engine, () => clock);
      command = await t.userSession("command", XINGQING);
      staff = await t.userSession("quarantine_staff", XINGQING);
      otherStaff = await t.userSession("quarantine_staff", JINFENG);
      const s = await t.call(command, "POST", "/api/quarantine/sites", {
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街88号",
        regionCode: TOWNSHIP,
      });
      assert.equal(s.status, 201, JSON.stringify(s.json()));
      siteId = s.json().id;
      const rooms = await t.call(command, "POST", `/api/quarantine/sites/${siteId}/rooms`, {
        from: 101,
        to: 105,
        prefix: "A",
        type: "single",
      });
      assert.equal(rooms.status, 201);
      const names = ["马晓燕", "李建国", "王芳", "张伟"];
      for (const [i, name] of names.entries()) {
        const p = await t.call(command, "POST", "/api/people", personPayload(COMMUNITY, 40 + i, { name }));
        assert.equal(p.status, 201, JSON.stringify(p.json()));
        people.push(p.json().id);
      }
      // Three placed the evening of 08-01; 张伟 placed on 08-03 at 14:00, after the 10:00 cut-off.
      for (let i = 0; i < 4; i++)
        placements.push(
          await placeDirectly(t, {
            personId: people[i]!,
            siteId,
            roomId: rooms.json().items[i].id,
            placedAt: i < 3 ? PLACED_AT : "2022-08-03T14:00:00+08:00",
          }),
        );
      citizen = await t.userSession("citizen", XINGQING, { personId: people[0]! });
      const other = await t.call(command, "POST", "/api/people", personPayload(COMMUNITY, 60));
      notPlacedCitizen = await t.userSession("citizen", XINGQING, { personId: other.json().id });
    });
    after(() => t.close());

    test("staff take 马晓燕's temperature at 08:30: 37.6 °C with a dry cough raises a fever and a symptom alert, audited", async () => {
      const r = await t.call(staff, "POST", `/api/quarantine/placements/${placements[0]}/health-reports`, {
        at: "2022-08-03T08:30:00+08:00",
        temperatureC: 37.6,
        symptoms: ["dry_cough"],
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const { report, alerts } = r.json();
      assert.equal(report.personId, people[0]);
      assert.equal(report.reportedBy, "staff");
      assert.equal(report.temperatureC, 37.6);
      assert.equal(report.at, "2022-08-03T00:30:00.000Z");
      assert.deepEqual(
        alerts.map((a: { kind: string }) => a.kind),
        ["fever", "symptom"],
      );
      assert.match(alerts[0].message.zh, /发热：体温 37.6 °C（≥ 37.3 °C）/);
      assert.deepEqual(report.alerts, alerts);
      assert.deepEqual(await stored(), { r: 1, a: 1 });
      const audit = (
        await t.db.query<{ entity_id: string; region_code: string; after: { alerts: string[] } }>(
          `SELECT entity_id, region_code, after FROM audit_log WHERE action = 'quarantine.health_report'`,
        )
      ).rows[0]!;
      assert.equal(audit.entity_id, placements[0]);
      assert.equal(audit.region_code, TOWNSHIP);
      assert.deepEqual(audit.after.alerts, ["fever", "symptom:dry_cough"]);
    });

    test("37.2 °C is not a fever; 37.3 °C is (glossary: ≥ 37.3 °C counts as fever)", async () => {
      const at = "2022-08-03T09:00:00+08:00";
      const below = await t.call(
        staff,
        "POST",
        `/api/quarantine/placements/${placements[1]}/health-reports`,
        {
          at,
          temperatureC: 37.2,
          symptoms: [],
        },
      );
      assert.equal(below.status, 201);
      assert.deepEqual(below.json().alerts, []);
      const at373 = await t.call(
        staff,
        "POST",
        `/api/quarantine/placements/${placements[1]}/health-reports`,
        {
          at: "2022-08-03T09:05:00+08:00",
          temperatureC: 37.3,
          symptoms: [],
        },
      );
      assert.equal(at373.json().alerts[0].kind, "fever");
    });

    test("the threshold is a setting: at 37.5 °C a reading of 37.4 °C raises no alert", async () => {
      const ctx = { ...systemContext(clock) };
      const r = await recordHealthReport(
        t.db,
        ctx,
        placements[2]!,
        { at: "2022-08-03T09:10:00+08:00", temperatureC: 37.4, symptoms: [] },
        { feverThresholdC: 37.5 },
      );
      assert.deepEqual(r.alerts, []);
      assert.equal(r.report.temperatureC, 37.4);
    });

    test("52 °C and 20 °C are typing errors: refused with a bilingual message, nothing stored", async () => {
      const before = await stored();
      for (const temperatureC of [52, 20]) {
        const url = `/api/quarantine/placements/${placements[0]}/health-reports`;
        const body = { at: "2022-08-03T09:30:00+08:00", temperatureC, symptoms: [] };
        const zh = await t.call(staff, "POST", url, body);
        assert.equal(zh.status, 422);
        assert.equal(zh.json().error.fields[0].field, "temperatureC");
        assert.equal(zh.json().error.fields[0].code, "report.temperature_impossible");
        assert.match(zh.json().error.fields[0].message, new RegExp(`体温 ${temperatureC} °C 不可能`));
        const en = await t.call(staff, "POST", url, body, { "accept-language": "en" });
        assert.match(en.json().error.fields[0].message, new RegExp(`${temperatureC} °C is impossible`));
      }
      const unknown = await t.call(
        staff,
        "POST",
        `/api/quarantine/placements/${placements[0]}/health-reports`,
        {
          at: "2022-08-03T09:30:00+08:00",
          temperatureC: 36.5,
          symptoms: ["headache"],
        },
      );
      assert.equal(unknown.status, 422);
      assert.equal(unknown.json().error.fields[0].field, "symptoms[0]");
      assert.deepEqual(await stored(), before);
    });

    test("a report time in the future, or before the person was placed, is refused", async () => {
      const before = await stored();
      const url = `/api/quarantine/placements/${placements[0]}/health-reports`;
      const future = await t.call(staff, "POST", url, {
        at: "2022-08-03T20:00:00+08:00",
        temperatureC: 36.6,
        symptoms: [],
      });
      assert.equal(future.status, 422);
      assert.deepEqual(
        [future.json().error.fields[0].field, future.json().error.fields[0].code],
        ["at", "report.in_future"],
      );
      const early = await t.call(staff, "POST", url, {
        at: "2022-08-01T18:00:00+08:00",
        temperatureC: 36.6,
        symptoms: [],
      });
      assert.equal(early.status, 422);
      assert.equal(early.json().error.fields[0].code, "report.before_placement");
      assert.match(early.json().error.fields[0].message, /早于入住隔离时间/);
      assert.deepEqual(await stored(), before);
    });

    test("staff of another county cannot record reports for this site; an unknown placement is 404", async () => {
      const r = await t.call(
        otherStaff,
        "POST",
        `/api/quarantine/placements/${placements[0]}/health-reports`,
        {
          temperatureC: 36.6,
          symptoms: [],
        },
      );
      assert.equal(r.status, 403);
      assert.equal(r.json().error.code, "outside_jurisdiction");
      const none = await t.call(staff, "POST", `/api/quarantine/placements/${uuidv7()}/health-reports`, {
        temperatureC: 36.6,
        symptoms: [],
      });
      assert.equal(none.status, 404);
    });

    test("the evening round as one batch: all stored in one transaction with ONE audit record", async () => {
      const before = await stored();
      const r = await t.call(staff, "POST", "/api/quarantine/health-reports/batch", {
        reports: [
          { placementId: placements[0], at: "2022-08-03T17:30:00+08:00", temperatureC: 37.0, symptoms: [] },
          { placementId: placements[1], at: "2022-08-03T17:31:00+08:00", temperatureC: 36.8, symptoms: [] },
          {
            placementId: placements[3],
            at: "2022-08-03T17:32:00+08:00",
            temperatureC: 36.6,
            symptoms: ["sore_throat"],
          },
        ],
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.equal(r.json().items.length, 3);
      assert.equal(r.json().items[2].alerts[0].symptom, "sore_throat");
      assert.deepEqual(await stored(), { r: before.r + 3, a: before.a + 1 });
      const audit = (
        await t.db.query<{ entity_type: string; region_code: string; after: { count: number } }>(
          `SELECT entity_type, region_code, after FROM audit_log WHERE action = 'quarantine.health_report'
           ORDER BY at DESC, id DESC LIMIT 1`,
        )
      ).rows[0]!;
      assert.deepEqual(
        [audit.entity_type, audit.region_code, audit.after.count],
        ["health_report_batch", TOWNSHIP, 3],
      );
    });

    test("one impossible reading refuses the whole batch, naming the row; more than 1,000 reports is refused", async () => {
      const before = await stored();
      const r = await t.call(staff, "POST", "/api/quarantine/health-reports/batch", {
        reports: [
          { placementId: placements[0], at: "2022-08-03T17:40:00+08:00", temperatureC: 36.9, symptoms: [] },
          { placementId: placements[1], at: "2022-08-03T17:41:00+08:00", temperatureC: 52, symptoms: [] },
          { placementId: uuidv7(), at: "2022-08-03T17:42:00+08:00", temperatureC: 36.5, symptoms: [] },
        ],
      });
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.json().error.fields.map((f: { field: string }) => f.field),
        ["reports.1.temperatureC", "reports.2.placementId"],
      );
      assert.deepEqual(await stored(), before);
      const big = await t.call(staff, "POST", "/api/quarantine/health-reports/batch", {
        reports: Array.from({ length: 1001 }, () => ({
          placementId: placements[0],
          at: "2022-08-03T17:40:00+08:00",
          temperatureC: 36.5,
          symptoms: [],
        })),
      });
      assert.equal(big.status, 400);
      assert.deepEqual(await stored(), before);
    });

    test("马晓燕 opens her phone: her site, room, course dates and today's reports; she reports 36.9 °C herself", async () => {
      const me = await t.call(citizen, "GET", "/api/me/placement");
      assert.equal(me.status, 200, JSON.stringify(me.json()));
      const p = me.json();
      assert.equal(p.id, placements[0]);
      assert.equal(p.site.name, "宁安宾馆");
      assert.equal(p.room.number, "A101");
      assert.deepEqual([p.course.start, p.course.end], ["2022-08-01", "2022-08-07"]);
      assert.equal(p.today, "2022-08-03");
      assert.deepEqual(p.cutoffs, ["10:00", "18:00"]);
      assert.deepEqual(
        p.todayReports.map((r: { temperatureC: number }) => r.temperatureC),
        [37.6, 37.0],
      );
      const r = await t.call(citizen, "POST", "/api/me/health-reports", { temperatureC: 36.9, symptoms: [] });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.equal(r.json().report.reportedBy, "self");
      assert.equal(r.json().report.placementId, placements[0]);
      assert.equal(r.json().report.at, clock.toISOString());
      const none = await t.call(notPlacedCitizen, "GET", "/api/me/placement");
      assert.equal(none.status, 200);
      assert.equal(none.json(), null);
      const refused = await t.call(notPlacedCitizen, "POST", "/api/me/health-reports", {
        temperatureC: 36.5,
        symptoms: [],
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.json().error.code, "health_report.not_placed");
    });

    test("the site's day: fever and symptom alerts, and who missed which cut-off (not before they arrived)", async () => {
      const r = await t.call(staff, "GET", `/api/quarantine/sites/${siteId}/alerts?date=2022-08-03`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const day = r.json();
      assert.deepEqual(
        day.alerts.map((a: { personName: string; alerts: { kind: string }[] }) => [
          a.personName,
          a.alerts.map((x) => x.kind).join("+"),
        ]),
        [
          ["马晓燕", "fever+symptom"],
          ["李建国", "fever"],
          ["张伟", "symptom"],
        ],
      );
      // 王芳 reported at 09:10 only; 张伟 arrived at 14:00 so only 18:00 counts for him, and he reported.
      assert.deepEqual(
        day.missing.map((m: { personName: string; cutoff: string; roomNumber: string }) => [
          m.personName,
          m.cutoff,
          m.roomNumber,
        ]),
        [["王芳", "18:00", "A103"]],
      );
      assert.match(day.missing[0].message.zh, /2022-08-03 18:00 前未报告体温和症状/);
      // At 09:00 the next morning no cut-off of 08-04 has passed yet.
      clock = new Date("2022-08-04T09:00:00+08:00");
      // Sessions lapse overnight: the morning shift logs in again.
      staff = await t.userSession("quarantine_staff", XINGQING);
      otherStaff = await t.userSession("quarantine_staff", JINFENG);
      const next = (await t.call(staff, "GET", `/api/quarantine/sites/${siteId}/alerts`)).json();
      assert.deepEqual([next.date, next.missing.length, next.alerts.length], ["2022-08-04", 0, 0]);
      clock = new Date("2022-08-04T10:30:00+08:00");
      const later = (await t.call(staff, "GET", `/api/quarantine/sites/${siteId}/alerts`)).json();
      assert.equal(later.missing.length, 4, "nobody reported by 10:00 on 08-04");
      const bad = await t.call(staff, "GET", `/api/quarantine/sites/${siteId}/alerts?date=2022-02-30`);
      assert.equal(bad.status, 422);
      const outside = await t.call(otherStaff, "GET", `/api/quarantine/sites/${siteId}/alerts`);
      assert.equal(outside.status, 403);
    });

    test("after release no more reports are taken (409)", async () => {
      await t.db.query(
        `UPDATE quarantine_placements SET status = 'released', released_at = $2, release_kind = 'on_schedule'
         WHERE id = $1`,
        [placements[2], new Date("2022-08-04T10:00:00+08:00")],
      );
      const r = await t.call(staff, "POST", `/api/quarantine/placements/${placements[2]}/health-reports`, {
        temperatureC: 36.5,
        symptoms: [],
      });
      assert.equal(r.status, 409);
      assert.equal(r.json().error.code, "health_report.not_placed");
    });
  });
}
