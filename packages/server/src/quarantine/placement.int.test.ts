import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { schedule } from "@cordon/domain/quarantine/schedule";
import { courseFrom, type StoredCourse } from "@cordon/domain/quarantine/stored-course";
import { systemContext } from "../http/context.ts";
import type { AppError } from "../http/errors.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";
import { placeBulk } from "./placement-bulk.ts";
import { sitesToday } from "./placement.service.ts";

// 兴庆区 (640104, Yinchuan): in 2022-08 no Ningxia pack is in force (the April emergency pack ended on
// 2022-06-28), so the national 9th edition (2022-06-28 to 2022-11-11) decides.
const XINGQING = "640104";
const XINGQING_COMMUNITY = "640104001002";
// 麒麟区 (530302, Qujing): seed 002's pack, 2020-12-21 to 2021-05-11.
const QILIN = "530302";
const QILIN_COMMUNITY = "530302001001";

interface Appointment {
  date: string;
  dayNumber: number;
  phase: string;
  sample: string;
}

for (const engine of testEngines()) {
  describe(`quarantine placements (${engine})`, () => {
    let t: TestApp;
    let clock = new Date("2022-08-01T20:00:00+08:00");
    /** Moves the clock and logs everyone in again (sessions expire as the days pass). */
    const setClock = async (iso: string) => {
      clock = new Date(iso);
      await login();
    };
    let admin: string;
    let command: string;
    let staff: string;
    let qilinStaff: string;
    let qilinCommand: string;
    let otherStaff: string;
    let hotel: string;
    let hotelRooms: { id: string; number: string; type: string }[];
    let otherHotelRoom: string;
    let qilinHotel: string;
    let seq = 100;
    let closeContact: string; // placed under the 9th edition

    const person = async (community: string) => {
      const r = await t.call(admin, "POST", "/api/people", personPayload(community, ++seq));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const site = async (who: string, body: Record<string, unknown>) => {
      const r = await t.call(who, "POST", "/api/quarantine/sites", body);
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const rooms = async (who: string, id: string, body: Record<string, unknown>) => {
      const r = await t.call(who, "POST", `/api/quarantine/sites/${id}/rooms`, body);
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().items as { id: string; number: string; type: string }[];
    };
    const closeFacts = (exposure: string) => ({
      contacts: [{ kind: "close" as const, lastExposureAt: exposure }],
    });
    /** Everything placements write: a rejected request must leave all of it as it was. */
    const stored = async () =>
      (
        await t.db.query<Record<string, number | string>>(
          `SELECT (SELECT count(*)::int FROM quarantine_placements) AS placements,
             (SELECT count(*)::int FROM quarantine_test_results) AS results,
             (SELECT count(*)::int FROM quarantine_transfers) AS transfers,
             (SELECT count(*)::int FROM audit_log WHERE action LIKE 'quarantine.%') AS audit,
             (SELECT string_agg(state, ',' ORDER BY id) FROM quarantine_rooms) AS rooms,
             (SELECT string_agg(status || coalesce(planned_end::text, ''), ',' ORDER BY id) FROM quarantine_placements) AS states`,
        )
      ).rows[0]!;
    const audit = async (entityId: string, action: string) =>
      (
        await t.db.query<{ before: unknown; after: Record<string, unknown>; actor_role: string }>(
          "SELECT before, after, actor_role FROM audit_log WHERE entity_id = $1 AND action = $2 ORDER BY at",
          [entityId, action],
        )
      ).rows;
    const result = (id: string, sampledOn: string, outcome = "negative", who = staff) =>
      t.call(who, "POST", `/api/quarantine/placements/${id}/results`, {
        sampledOn,
        sample: "oropharyngeal",
        outcome,
        labReference: `YC-LAB-${sampledOn}`,
      });

    const login = async () => {
      admin = await t.userSession("administrator", "000000");
      command = await t.userSession("command", XINGQING);
      staff = await t.userSession("quarantine_staff", XINGQING);
      otherStaff = await t.userSession("quarantine_staff", "640105");
      qilinStaff = await t.userSession("quarantine_staff", QILIN);
      qilinCommand = await t.userSession("command", QILIN);
    };

    before(async () => {
      t = await testApp(engine, () => clock);
      await login();
      hotel = await site(command, {
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街88号",
        regionCode: XINGQING,
      });
      hotelRooms = [
        ...(await rooms(command, hotel, { from: 101, to: 110, prefix: "A", type: "single" })),
        ...(await rooms(command, hotel, { from: 201, to: 204, prefix: "A", type: "double" })),
        ...(await rooms(command, hotel, { from: 301, to: 302, prefix: "B", type: "family" })),
      ];
      const other = await site(command, {
        kind: "centralized",
        name: "凤凰酒店",
        address: "凤凰北街1号",
        regionCode: XINGQING,
      });
      otherHotelRoom = (await rooms(command, other, { from: 1, to: 1, type: "single" }))[0]!.id;
      qilinHotel = await site(qilinCommand, {
        kind: "centralized",
        name: "麒麟区集中隔离点（演示）",
        address: "南宁西路1号",
        regionCode: QILIN,
      });
      await rooms(qilinCommand, qilinHotel, { from: 1, to: 5, type: "single" });
    });
    after(() => t.close());

    test("A close contact placed today under the 9th-edition pack gets tests on days 1, 2, 3, 5 and 7 and home-monitoring day 3", async () => {
      closeContact = await person(XINGQING_COMMUNITY);
      const room = hotelRooms.find((r) => r.number === "A101")!;
      const r = await t.call(staff, "POST", "/api/quarantine/placements", {
        siteId: hotel,
        roomId: room.id,
        people: [
          {
            personId: closeContact,
            lastExposureAt: "2022-08-01T09:00:00+08:00",
            facts: closeFacts("2022-08-01T09:00:00+08:00"),
          },
        ],
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const [p] = r.json().items;
      assert.equal(p.packId, "national-9th-edition");
      assert.equal(p.status, "placed");
      assert.equal(p.sourceKind, "manual");
      assert.equal(p.identifiedAt, p.placedAt, "entered by hand: identified when placed");
      assert.deepEqual(
        p.course.phases.map((x: { kind: string; start: string; end: string }) => [x.kind, x.start, x.end]),
        [
          ["centralized_quarantine", "2022-08-02", "2022-08-08"],
          ["home_health_monitoring", "2022-08-09", "2022-08-11"],
        ],
      );
      assert.deepEqual(
        p.course.appointments.map((a: Appointment) => [a.date, a.phase, a.dayNumber, a.sample]),
        [
          ["2022-08-02", "centralized_quarantine", 1, "oropharyngeal"],
          ["2022-08-03", "centralized_quarantine", 2, "oropharyngeal"],
          ["2022-08-04", "centralized_quarantine", 3, "oropharyngeal"],
          ["2022-08-06", "centralized_quarantine", 5, "oropharyngeal"],
          ["2022-08-08", "centralized_quarantine", 7, "oropharyngeal"],
          ["2022-08-11", "home_health_monitoring", 3, "oropharyngeal"],
        ],
      );
      assert.equal(p.plannedEnd, "2022-08-08");
      const board = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/board`)).json();
      const a101 = board.rooms.find((x: { number: string }) => x.number === "A101");
      assert.equal(a101.state, "occupied");
      assert.deepEqual(
        a101.occupants.map((o: { placementId: string; plannedEnd: string }) => [o.placementId, o.plannedEnd]),
        [[p.id, "2022-08-08"]],
      );
      const [entry] = await audit(p.id, "quarantine.place");
      assert.equal(entry!.after.packId, "national-9th-edition");
      assert.equal(entry!.actor_role, "quarantine_staff");
    });

    test("today's list: the day's test with its result, the tests missed before it; released on schedule only once every test is negative", async () => {
      const id = (
        await t.call(staff, "GET", `/api/quarantine/placements?siteId=${hotel}&status=placed`)
      ).json().items[0].id;
      await setClock("2022-08-04T16:00:00+08:00");
      assert.equal((await result(id, "2022-08-02")).status, 201);
      assert.equal((await result(id, "2022-08-04")).status, 201);
      const day = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/today`)).json();
      assert.equal(day.date, "2022-08-04");
      assert.deepEqual(
        day.dueTests.map(
          (d: Appointment & { result: { outcome: string; sample: string; labReference: string } | null }) => [
            d.date,
            d.dayNumber,
            d.result?.outcome,
            d.result?.sample,
            d.result?.labReference,
          ],
        ),
        [["2022-08-04", 3, "negative", "oropharyngeal", "YC-LAB-2022-08-04"]],
      );
      assert.deepEqual(
        day.missedTests.map((d: Appointment) => [d.date, d.dayNumber]),
        [["2022-08-03", 2]],
      );
      assert.deepEqual(day.releasable, []);

      // Before the conditions hold: 409 with each unmet condition; nothing changes.
      const before = await stored();
      const early = await t.call(staff, "POST", `/api/quarantine/placements/${id}/release`, {
        kind: "on_schedule",
      });
      assert.equal(early.status, 409);
      assert.equal(early.json().error.code, "release.conditions_unmet");
      const unmet = early.json().error.fields.map((f: { code: string }) => f.code);
      assert.ok(unmet.includes("days_completed"), JSON.stringify(unmet));
      assert.ok(unmet.includes("test_missing"), "the day-2 test has no result");
      assert.match(early.json().error.message, /第 2 天（2022-08-03）检测：无结果（漏检？）/);
      const en = await t.call(
        staff,
        "POST",
        `/api/quarantine/placements/${id}/release`,
        { kind: "on_schedule" },
        { "accept-language": "en" },
      );
      assert.match(en.json().error.message, /day 2 \(2022-08-03\) test: no result \(missed\?\)/);
      assert.deepEqual(await stored(), before);

      await setClock("2022-08-08T17:00:00+08:00");
      for (const d of ["2022-08-03", "2022-08-06", "2022-08-08"])
        assert.equal((await result(id, d)).status, 201);
      const last = await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/today`);
      assert.deepEqual(
        last.json().releasable.map((x: { placementId: string }) => x.placementId),
        [id],
      );
      const detail = (await t.call(staff, "GET", `/api/quarantine/placements/${id}`)).json();
      assert.equal(detail.release.status, "releasable");
      assert.equal(detail.release.next.kind, "home_health_monitoring");
      assert.equal(detail.results.length, 5);
      assert.match(detail.person.documentNumberMasked, /^640104\*+/);

      const ok = await t.call(staff, "POST", `/api/quarantine/placements/${id}/release`, {
        kind: "on_schedule",
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.json()));
      assert.equal(ok.json().status, "released");
      assert.equal(ok.json().releaseKind, "on_schedule");
      assert.match(ok.json().certificateId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
      const board = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/board`)).json();
      const a101 = board.rooms.find((x: { number: string }) => x.number === "A101");
      assert.deepEqual([a101.state, a101.occupants], ["cleaning", []]);
      const [rel] = await audit(id, "quarantine.release");
      assert.equal(rel!.after.kind, "on_schedule");
      assert.equal((await audit(id, "quarantine.result")).length, 5);
    });

    test("the same person under Qilin 2020 gets 14 days and is released after 3 negatives", async () => {
      await setClock("2021-01-10T20:00:00+08:00");
      const same = await person(QILIN_COMMUNITY);
      const r = await t.call(qilinStaff, "POST", "/api/quarantine/placements", {
        siteId: qilinHotel,
        people: [{ personId: same, facts: closeFacts("2021-01-10T09:00:00+08:00") }],
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const [p] = r.json().items;
      assert.equal(p.packId, "qilin-2020-12-winter-spring");
      assert.equal(p.startFacts.lastExposureAt, "2021-01-10T09:00:00+08:00", "taken from the contact");
      assert.deepEqual(
        p.course.phases.map((x: { kind: string; days: number; start: string; end: string }) => [
          x.kind,
          x.days,
          x.start,
          x.end,
        ]),
        [["centralized_quarantine", 14, "2021-01-11", "2021-01-24"]],
      );
      assert.deepEqual(p.course.appointments, [], "the notice names no test days");
      assert.equal(p.course.release.negativeTests, 3);

      await setClock("2021-01-24T18:00:00+08:00");
      for (const d of ["2021-01-12", "2021-01-18"])
        assert.equal((await result(p.id, d, "negative", qilinStaff)).status, 201);
      const two = await t.call(qilinStaff, "POST", `/api/quarantine/placements/${p.id}/release`, {
        kind: "on_schedule",
      });
      assert.equal(two.status, 409);
      assert.deepEqual(
        two.json().error.fields.map((f: { code: string }) => f.code),
        ["negative_tests"],
      );
      assert.match(two.json().error.fields[0].message, /需 3 次核酸检测阴性，已有 2 次/);
      assert.equal((await result(p.id, "2021-01-24", "negative", qilinStaff)).status, 201);
      const ok = await t.call(qilinStaff, "POST", `/api/quarantine/placements/${p.id}/release`, {
        kind: "on_schedule",
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.json()));
      assert.equal(ok.json().status, "released");
    });

    test("early release: refused to site staff (403), done by the command with a reason and audited", async () => {
      await setClock("2022-08-10T10:00:00+08:00");
      const who = await person(XINGQING_COMMUNITY);
      const p = (
        await t.call(staff, "POST", "/api/quarantine/placements", {
          siteId: hotel,
          roomId: hotelRooms.find((r) => r.number === "A102")!.id,
          people: [{ personId: who, facts: closeFacts("2022-08-09T22:00:00+08:00") }],
        })
      ).json().items[0];
      const before = await stored();
      const byStaff = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/release`, {
        kind: "early",
        reason: "转定点医院",
      });
      assert.equal(byStaff.status, 403);
      const noReason = await t.call(command, "POST", `/api/quarantine/placements/${p.id}/release`, {
        kind: "early",
      });
      assert.equal(noReason.status, 422);
      assert.equal(noReason.json().error.fields[0].field, "reason");
      const ext = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/extend`, {
        plannedEnd: "2022-08-20",
        reason: "同住者阳性",
      });
      assert.equal(ext.status, 403);
      assert.deepEqual(await stored(), before);

      const extended = await t.call(command, "POST", `/api/quarantine/placements/${p.id}/extend`, {
        plannedEnd: "2022-08-20",
        reason: "同室人员核酸阳性，延长观察",
      });
      assert.equal(extended.status, 200, JSON.stringify(extended.json()));
      assert.equal(extended.json().plannedEnd, "2022-08-20");
      assert.deepEqual((await audit(p.id, "quarantine.extend"))[0]!.before, { plannedEnd: "2022-08-16" });

      const r = await t.call(command, "POST", `/api/quarantine/placements/${p.id}/release`, {
        kind: "early",
        reason: "经专家组评估，转入定点医院观察",
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().releaseKind, "early");
      assert.equal(r.json().releaseReason, "经专家组评估，转入定点医院观察");
      const [a] = await audit(p.id, "quarantine.release");
      assert.equal(a!.actor_role, "command");
      assert.equal(a!.after.reason, "经专家组评估，转入定点医院观察");
    });

    test("a changed last exposure moves the course, says what moved and why, and is audited with before and after", async () => {
      await setClock("2022-08-12T10:00:00+08:00");
      const who = await person(XINGQING_COMMUNITY);
      const p = (
        await t.call(staff, "POST", "/api/quarantine/placements", {
          siteId: hotel,
          roomId: hotelRooms.find((r) => r.number === "A103")!.id,
          people: [{ personId: who, facts: closeFacts("2022-08-10T20:00:00+08:00") }],
        })
      ).json().items[0];
      assert.equal(p.plannedEnd, "2022-08-17");
      const courseOf = async () =>
        (
          await t.db.query<{ courseId: string; stored: { appointments: Appointment[] } }>(
            `SELECT q.course_id AS "courseId", c.course AS stored
             FROM quarantine_placements q JOIN quarantine_courses c ON c.id = q.course_id WHERE q.id = $1`,
            [p.id],
          )
        ).rows[0]!;
      const old = await courseOf();
      const r = await t.call(staff, "PUT", `/api/quarantine/placements/${p.id}/exposure`, {
        lastExposureAt: "2022-08-11T19:00:00+08:00",
        reason: "流调更正：末次同餐为 8 月 11 日晚",
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().placement.plannedEnd, "2022-08-18");
      assert.deepEqual(
        r
          .json()
          .placement.course.appointments.slice(0, 5)
          .map((a: Appointment) => a.date),
        ["2022-08-12", "2022-08-13", "2022-08-14", "2022-08-16", "2022-08-18"],
      );
      const zh = r
        .json()
        .changes.map((c: { zh: string }) => c.zh)
        .join("\n");
      assert.match(
        zh,
        /末次暴露日期由 2022-08-10 改为 2022-08-11：集中隔离 2022-08-11～2022-08-17 → 2022-08-12～2022-08-18/,
      );
      assert.match(zh, /检测日期 2022-08-11→2022-08-12/);
      const now = await courseOf();
      assert.notEqual(now.courseId, old.courseId, "the rescheduled course is another stored course");
      assert.equal(now.stored.appointments[0]!.date, "2022-08-12");
      assert.equal(
        (await t.db.query("SELECT 1 FROM quarantine_courses WHERE id = $1", [old.courseId])).rows.length,
        1,
        "the old course stays (stored courses never change)",
      );
      const [a] = await audit(p.id, "quarantine.exposure");
      assert.deepEqual(a!.before, {
        lastExposureAt: "2022-08-10T20:00:00+08:00",
        plannedEnd: "2022-08-17",
        tests: ["2022-08-11", "2022-08-12", "2022-08-13", "2022-08-15", "2022-08-17", "2022-08-20"],
      });
      assert.equal(a!.after.plannedEnd, "2022-08-18");
      assert.equal(a!.after.reason, "流调更正：末次同餐为 8 月 11 日晚");
    });

    test("a family of 3 is suggested a family suite before two doubles, and placed together in it", async () => {
      const s = await t.call(staff, "GET", `/api/quarantine/suggestions?siteId=${hotel}&people=3`);
      assert.equal(s.status, 200, JSON.stringify(s.json()));
      assert.deepEqual(
        s.json().rooms.map((r: { number: string }) => r.number),
        ["B301", "B302"],
      );
      const family = [
        await person(XINGQING_COMMUNITY),
        await person(XINGQING_COMMUNITY),
        await person(XINGQING_COMMUNITY),
      ];
      const r = await t.call(staff, "POST", "/api/quarantine/placements", {
        siteId: hotel,
        roomId: s.json().rooms[0].id,
        people: family.map((personId) => ({ personId, facts: closeFacts("2022-08-11T12:00:00+08:00") })),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const keys = new Set(r.json().items.map((p: { householdKey: string }) => p.householdKey));
      assert.equal(keys.size, 1);
      assert.ok([...keys][0]);
      const board = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/board`)).json();
      assert.equal(board.rooms.find((x: { number: string }) => x.number === "B301").occupants.length, 3);
      const again = await t.call(staff, "GET", `/api/quarantine/suggestions?siteId=${hotel}&people=3`);
      assert.deepEqual(
        again.json().rooms.map((r: { number: string }) => r.number),
        ["B302"],
      );
    });

    test("bad input is refused field by field and stores nothing", async () => {
      await setClock("2022-08-13T10:00:00+08:00");
      const placed = (
        await t.call(staff, "GET", `/api/quarantine/placements?siteId=${hotel}&status=placed`)
      ).json().items;
      const inB301 = placed.find((p: { roomNumber: string }) => p.roomNumber === "B301");
      const inA103 = placed.find((p: { roomNumber: string }) => p.roomNumber === "A103");
      const fresh = await person(XINGQING_COMMUNITY);
      const base = {
        siteId: hotel,
        people: [{ personId: fresh, facts: closeFacts("2022-08-12T12:00:00+08:00") }],
      };
      const before = await stored();
      const cases: [string, string, string, unknown, string, string][] = [
        [
          "a room of another site",
          "POST",
          "/api/quarantine/placements",
          { ...base, roomId: otherHotelRoom },
          "roomId",
          "placement.room_not_at_site",
        ],
        [
          "a room already holding another household",
          "POST",
          "/api/quarantine/placements",
          { ...base, roomId: hotelRooms.find((r) => r.number === "B301")!.id },
          "roomId",
          "placement.room_taken",
        ],
        [
          "a person already placed",
          "POST",
          "/api/quarantine/placements",
          {
            ...base,
            people: [{ personId: inA103.personId, facts: closeFacts("2022-08-12T12:00:00+08:00") }],
          },
          "people.0.personId",
          "placement.already_placed",
        ],
        [
          "release before placement",
          "POST",
          `/api/quarantine/placements/${inA103.id}/release`,
          { kind: "on_schedule", at: "2022-08-12T09:00:00+08:00" },
          "at",
          "release.before_placement",
        ],
        [
          "a result dated on a day the person was not there",
          "POST",
          `/api/quarantine/placements/${inA103.id}/results`,
          { sampledOn: "2022-08-11", sample: "oropharyngeal", outcome: "negative", labReference: "L-1" },
          "sampledOn",
          "result.before_placement",
        ],
        [
          "arrived before picked up",
          "PUT",
          `/api/quarantine/placements/${inB301.id}/transfer`,
          {
            vehicle: "宁A·12345",
            escort: "王强",
            pickedUpAt: "2022-08-12T10:00:00+08:00",
            arrivedAt: "2022-08-12T09:30:00+08:00",
          },
          "arrivedAt",
          "transfer.arrived_before_pickup",
        ],
      ];
      for (const [name, method, url, body, field, code] of cases) {
        const r = await t.call(staff, method as "POST", url, body);
        assert.equal(r.status, 422, `${name}: ${JSON.stringify(r.json())}`);
        const f = r.json().error.fields[0];
        assert.deepEqual([f.field, f.code], [field, code], name);
        const en = await t.call(staff, method as "POST", url, body, { "accept-language": "en" });
        assert.notEqual(en.json().error.fields[0].message, f.message, `${name}: bilingual`);
        assert.deepEqual(await stored(), before, `${name}: nothing stored`);
      }
      // A person for whom no pack rule gives isolation: 400, with the reason.
      const noFacts = await t.call(staff, "POST", "/api/quarantine/placements", {
        siteId: hotel,
        people: [{ personId: fresh }],
      });
      assert.equal(noFacts.status, 400);
      assert.equal(noFacts.json().error.code, "placement.no_measures");
      assert.match(noFacts.json().error.fields[0].message, /national-9th-edition .*不属于其中任何一类人员/);
      // Qilin before its pack: no pack in force.
      await setClock("2020-11-01T10:00:00+08:00");
      const noPack = await t.call(qilinStaff, "POST", "/api/quarantine/placements", {
        siteId: qilinHotel,
        people: [{ personId: fresh, facts: closeFacts("2020-11-01T08:00:00+08:00") }],
      });
      assert.equal(noPack.status, 400);
      assert.match(noPack.json().error.fields[0].message, /没有覆盖 530302 的有效规则包/);
      // Outside the jurisdiction.
      await setClock("2022-08-13T10:00:00+08:00");
      const outside = await t.call(otherStaff, "POST", "/api/quarantine/placements", {
        ...base,
        roomId: hotelRooms.find((r) => r.number === "A104")!.id,
      });
      assert.equal(outside.status, 403);
      assert.deepEqual(await stored(), before);
    });

    test("the closed-loop transfer: identified by the arrival's control task, arrived within 48 hours", async () => {
      await setClock("2022-08-13T10:00:00+08:00");
      const who = await person(XINGQING_COMMUNITY);
      const grid = await t.userSession("grid_worker", XINGQING);
      const a = await t.call(grid, "POST", "/api/arrivals", {
        personId: who,
        arrivalAt: "2022-08-13T08:00:00+08:00",
        destinationRegionCode: XINGQING_COMMUNITY,
        travelHistory: [],
        facts: { inboundOverseas: true },
      });
      assert.equal(a.status, 201, JSON.stringify(a.json()));
      const taskId = a.json().task.id;
      await setClock("2022-08-14T09:00:00+08:00");
      const r = await t.call(staff, "POST", "/api/quarantine/placements", {
        siteId: hotel,
        roomId: hotelRooms.find((x) => x.number === "A105")!.id,
        source: { kind: "arrival_task", id: taskId },
        people: [{ personId: who }],
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const p = r.json().items[0];
      assert.deepEqual([p.sourceKind, p.sourceId], ["arrival_task", taskId]);
      assert.equal(p.identifiedAt, "2022-08-13T02:00:00.000Z", "the task's creation");
      assert.equal(p.course.anchor, "arrival");
      assert.equal(p.course.appointments[0].date, "2022-08-13", "inbound: day 1 is the arrival day");
      const tr = await t.call(staff, "PUT", `/api/quarantine/placements/${p.id}/transfer`, {
        vehicle: "宁A·D0001 负压救护车",
        escort: "李敏（社区）",
        pickedUpAt: "2022-08-14T07:30:00+08:00",
        arrivedAt: "2022-08-14T08:30:00+08:00",
      });
      assert.equal(tr.status, 200, JSON.stringify(tr.json()));
      const d = (await t.call(staff, "GET", `/api/quarantine/placements/${p.id}`)).json();
      assert.deepEqual(d.loop, {
        identifiedAt: "2022-08-13T02:00:00.000Z",
        arrivedAt: "2022-08-14T00:30:00.000Z",
        hours: 22.5,
        limitHours: 48,
        withinLimit: true,
      });
      assert.equal(d.transfer.vehicle, "宁A·D0001 负压救护车");
      assert.equal((await audit(p.id, "quarantine.transfer")).length, 1);
      // A task of another county is outside a Qilin account's jurisdiction.
      const foreign = await t.call(qilinCommand, "POST", "/api/quarantine/placements", {
        siteId: qilinHotel,
        source: { kind: "arrival_task", id: taskId },
        people: [{ personId: who }],
      });
      assert.equal(foreign.status, 403);
    });

    test("bulk placement stores the course the single placement computes, for everyone, and refuses a bad batch whole", async () => {
      await setClock("2022-08-15T12:00:00+08:00");
      const who = [
        await person(XINGQING_COMMUNITY),
        await person(XINGQING_COMMUNITY),
        await person(XINGQING_COMMUNITY),
      ];
      const room = (n: string) => hotelRooms.find((r) => r.number === n)!.id;
      // Two close contacts exposed the same day at different hours (one course computed, shared), and
      // an inbound traveller.
      const items = [
        {
          personId: who[0]!,
          siteId: hotel,
          roomId: room("A106"),
          placedAt: "2022-08-15T09:00:00+08:00",
          facts: closeFacts("2022-08-14T08:00:00+08:00"),
        },
        {
          personId: who[1]!,
          siteId: hotel,
          roomId: room("A107"),
          placedAt: "2022-08-15T10:30:00+08:00",
          facts: closeFacts("2022-08-14T21:15:00+08:00"),
        },
        {
          personId: who[2]!,
          siteId: hotel,
          roomId: room("A108"),
          placedAt: "2022-08-15T11:00:00+08:00",
          arrivalAt: "2022-08-15T07:00:00+08:00",
          facts: { inboundOverseas: true },
        },
      ];
      const ctx = systemContext(clock);
      const packs = loadShippedPacks();
      const before = await stored();
      await assert.rejects(
        placeBulk(t.db, ctx, packs, [...items, { ...items[0]!, personId: who[1]!, roomId: otherHotelRoom }], {
          regionCode: XINGQING,
        }),
        (e: AppError) => {
          assert.equal(e.status, 422);
          assert.deepEqual(
            e.fields!.map((f) => [f.field, f.code]),
            [
              ["items.3.personId", "placement.already_placed"],
              ["items.3.roomId", "placement.room_not_at_site"],
            ],
          );
          return true;
        },
      );
      assert.deepEqual(await stored(), before, "nothing stored");

      const s = await placeBulk(t.db, ctx, packs, items, { regionCode: XINGQING });
      assert.deepEqual([s.placed, s.roomsOccupied, s.packs], [3, 3, { "national-9th-edition": 3 }]);
      for (const it of items) {
        const r = (
          await t.db.query<{
            course: StoredCourse;
            courseId: string;
            hash: string;
            startFacts: never;
            plannedEnd: string;
          }>(
            `SELECT c.course, q.course_id AS "courseId",
               left(encode(sha256(convert_to(c.course::text, 'UTF8')), 'hex'), 32) AS hash,
               q.start_facts AS "startFacts", q.planned_end::text AS "plannedEnd"
             FROM quarantine_placements q JOIN quarantine_courses c ON c.id = q.course_id WHERE q.person_id = $1`,
            [it.personId],
          )
        ).rows[0]!;
        const c = schedule(r.course.measures, r.startFacts);
        assert.ok(c.ok);
        assert.deepEqual(
          courseFrom(r.course, r.startFacts),
          c.value,
          "the stored course (its measures with it), with the placement's facts, is schedule()'s",
        );
        assert.equal(r.courseId, r.hash, "a course's id is the hash of its stored text");
        assert.equal((r.startFacts as { placedAt: string }).placedAt, it.placedAt);
      }
      const board = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/board`)).json();
      assert.equal(board.rooms.find((x: { number: string }) => x.number === "A107").state, "occupied");
      const audit = await t.db.query("SELECT 1 FROM audit_log WHERE action = 'quarantine.place_bulk'");
      assert.equal(audit.rows.length, 1);
      const shared = await t.db.query<{ n: number }>(
        `SELECT count(DISTINCT course_id)::int AS n FROM quarantine_placements WHERE person_id = ANY($1::uuid[])`,
        [who.slice(0, 2)],
      );
      assert.equal(
        shared.rows[0]!.n,
        1,
        "two contacts exposed and placed the same days share one stored course",
      );
      // Many sites' days at once are the same lists as each site's own.
      const all = await sitesToday(t.db, ctx, [hotel, qilinHotel], "2022-08-15");
      const one = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/today?date=2022-08-15`)).json();
      assert.ok(one.dueTests.length >= 3, "the bulk-placed contacts are due on their day 1");
      assert.deepEqual(JSON.parse(JSON.stringify(all.get(hotel))), one);
      assert.deepEqual(all.get(qilinHotel)!.dueTests, []);
      // The morning report of the staff's county counts the same lists, site by site.
      const report = (await t.call(staff, "GET", "/api/quarantine/today?date=2022-08-15")).json();
      assert.equal(report.date, "2022-08-15");
      const row = report.sites.find((x: { siteId: string }) => x.siteId === hotel);
      assert.deepEqual(
        [row.dueTests, row.dueWithResult, row.missedTests, row.releasable],
        [
          one.dueTests.length,
          one.dueTests.filter((d: { result: unknown }) => d.result).length,
          one.missedTests.length,
          one.releasable.length,
        ],
      );
      const outside = await t.call(staff, "GET", "/api/quarantine/today?regionCode=110101");
      assert.equal(outside.status, 403, "another county's report is not the staff's to read");
    });
  });
}
