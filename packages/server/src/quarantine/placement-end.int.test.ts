import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 兴庆区 (640104, Yinchuan), 2022-08: the national 9th edition is in force (no Ningxia pack then).
const XINGQING = "640104";
const XINGQING_COMMUNITY = "640104001002";
const XIXIA = "640105";

for (const engine of testEngines()) {
  describe(`placements that end besides release: to hospital, upgrade (${engine})`, () => {
    let t: TestApp;
    let clock = new Date("2022-08-01T20:00:00+08:00");
    let admin: string;
    let command: string;
    let staff: string;
    let hotel: string;
    let hotelRooms: { id: string; number: string }[];
    let hospital: string;
    let xixiaHospital: string;
    let home: string;
    let seq = 500;

    const login = async () => {
      admin = await t.userSession("administrator", "000000");
      command = await t.userSession("command", XINGQING);
      staff = await t.userSession("quarantine_staff", XINGQING);
    };
    const site = async (who: string, body: Record<string, unknown>) => {
      const r = await t.call(who, "POST", "/api/quarantine/sites", body);
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const person = async () => {
      const r = await t.call(admin, "POST", "/api/people", personPayload(XINGQING_COMMUNITY, ++seq));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const room = (n: string) => hotelRooms.find((r) => r.number === n)!.id;
    const placeContact = async (
      kind: "close" | "secondary",
      exposure: string,
      at: string,
      roomId?: string,
    ) => {
      const r = await t.call(staff, "POST", "/api/quarantine/placements", {
        siteId: at,
        ...(roomId ? { roomId } : {}),
        people: [{ personId: await person(), facts: { contacts: [{ kind, lastExposureAt: exposure }] } }],
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().items[0] as {
        id: string;
        plannedEnd: string;
        course: { appointments: { date: string }[] };
      };
    };
    const result = (id: string, sampledOn: string, outcome: string) =>
      t.call(staff, "POST", `/api/quarantine/placements/${id}/results`, {
        sampledOn,
        sample: "oropharyngeal",
        outcome,
        labReference: `YC-LAB-${sampledOn}-${outcome}`,
      });
    const roomState = async (roomId: string) =>
      (await t.db.query<{ state: string }>("SELECT state FROM quarantine_rooms WHERE id = $1", [roomId]))
        .rows[0]!.state;
    /** Everything these calls write: a refused one must leave it all as it was. */
    const stored = async () =>
      (
        await t.db.query<Record<string, number | string>>(
          `SELECT (SELECT count(*)::int FROM quarantine_placements) AS placements,
             (SELECT count(*)::int FROM audit_log WHERE action LIKE 'quarantine.%') AS audit,
             (SELECT string_agg(state, ',' ORDER BY id) FROM quarantine_rooms) AS rooms,
             (SELECT string_agg(status || coalesce(release_kind, ''), ',' ORDER BY id) FROM quarantine_placements) AS states`,
        )
      ).rows[0]!;
    const audit = async (entityId: string, action: string) =>
      (
        await t.db.query<{ after: Record<string, unknown> }>(
          "SELECT after FROM audit_log WHERE entity_id = $1 AND action = $2",
          [entityId, action],
        )
      ).rows;

    before(async () => {
      t = await testApp(engine, () => clock);
      await login();
      hotel = await site(command, {
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街88号",
        regionCode: XINGQING,
      });
      const r = await t.call(command, "POST", `/api/quarantine/sites/${hotel}/rooms`, {
        from: 101,
        to: 110,
        prefix: "A",
        type: "single",
      });
      assert.equal(r.status, 201);
      hotelRooms = r.json().items;
      hospital = await site(command, {
        kind: "designated_hospital",
        name: "银川市第四人民医院",
        address: "兴庆区胜利南街",
        regionCode: XINGQING,
      });
      xixiaHospital = await site(admin, {
        kind: "designated_hospital",
        name: "西夏区定点医院",
        address: "西夏区怀远路",
        regionCode: XIXIA,
      });
      home = await site(command, { kind: "home", name: "崇安社区居家隔离", regionCode: XINGQING_COMMUNITY });
    });
    after(() => t.close());

    test("a close contact with a positive result is moved to the designated hospital: placement ended, room to disinfection, no certificate", async () => {
      const p = await placeContact("close", "2022-08-01T08:00:00+08:00", hotel, room("A101"));
      assert.equal((await result(p.id, "2022-08-01", "positive")).status, 201);
      const release = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/release`, {
        kind: "on_schedule",
      });
      assert.equal(release.status, 409);
      assert.equal(release.json().error.code, "release.positive");

      const r = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/to-hospital`, {
        hospitalSiteId: hospital,
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const ended = r.json();
      assert.equal(ended.status, "ended");
      assert.equal(ended.releaseKind, "to_hospital");
      assert.equal(ended.endSiteId, hospital);
      assert.equal(ended.releasedAt, clock.toISOString());
      assert.equal(ended.certificateId, null);
      assert.equal(await roomState(room("A101")), "cleaning");

      const [entry] = await audit(p.id, "quarantine.to_hospital");
      assert.deepEqual((entry!.after.hospital as { name: string }).name, "银川市第四人民医院");
      assert.equal(entry!.after.override, false);
      assert.deepEqual(entry!.after.positiveResults, [
        { sampledOn: "2022-08-01", labReference: "YC-LAB-2022-08-01-positive" },
      ]);

      const detail = (await t.call(staff, "GET", `/api/quarantine/placements/${p.id}`)).json();
      assert.equal(detail.status, "ended");
      assert.deepEqual(detail.endSite, { id: hospital, name: "银川市第四人民医院" });
      assert.equal(detail.release, null);
      const pdf = await t.call(staff, "GET", `/api/quarantine/placements/${p.id}/certificate.pdf`);
      assert.equal(pdf.status, 409);
      const again = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/to-hospital`, {
        hospitalSiteId: hospital,
      });
      assert.equal(again.status, 409);
      assert.equal(again.json().error.code, "placement.not_placed");
      assert.match(again.json().error.message, /转定点医院|designated hospital/);
    });

    test("without a positive result only the command may move a person to hospital, and only with a reason", async () => {
      const p = await placeContact("close", "2022-08-01T08:00:00+08:00", hotel, room("A102"));
      assert.equal((await result(p.id, "2022-08-01", "negative")).status, 201);
      const before = await stored();
      const bySite = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/to-hospital`, {
        hospitalSiteId: hospital,
        reason: "发热",
      });
      assert.equal(bySite.status, 403);
      const noReason = await t.call(command, "POST", `/api/quarantine/placements/${p.id}/to-hospital`, {
        hospitalSiteId: hospital,
      });
      assert.equal(noReason.status, 422);
      assert.deepEqual(
        noReason.json().error.fields.map((f: { field: string; code: string }) => [f.field, f.code]),
        [["reason", "to_hospital.reason_required"]],
      );
      assert.deepEqual(await stored(), before);
      const ok = await t.call(command, "POST", `/api/quarantine/placements/${p.id}/to-hospital`, {
        hospitalSiteId: hospital,
        reason: "高热 39.2 °C，送定点医院排查",
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.json()));
      assert.equal(ok.json().releaseReason, "高热 39.2 °C，送定点医院排查");
      assert.equal((await audit(p.id, "quarantine.to_hospital"))[0]!.after.override, true);
    });

    test("a hotel, or a designated hospital outside the jurisdiction, is refused and nothing changes", async () => {
      const p = await placeContact("close", "2022-08-01T08:00:00+08:00", hotel, room("A103"));
      assert.equal((await result(p.id, "2022-08-01", "positive")).status, 201);
      const before = await stored();
      for (const [hospitalSiteId, code] of [
        [hotel, "hospital.not_designated"],
        [xixiaHospital, "hospital.outside_jurisdiction"],
      ] as const) {
        const r = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/to-hospital`, {
          hospitalSiteId,
        });
        assert.equal(r.status, 422, JSON.stringify(r.json()));
        assert.equal(r.json().error.fields[0].field, "hospitalSiteId");
        assert.equal(r.json().error.fields[0].code, code);
      }
      assert.deepEqual(await stored(), before);
      assert.equal(
        (await t.call(staff, "GET", `/api/quarantine/placements/${p.id}`)).json().status,
        "placed",
      );
    });

    test("upgrading a close contact is refused and nothing changes", async () => {
      const p = await placeContact("close", "2022-08-01T08:00:00+08:00", hotel, room("A105"));
      const before = await stored();
      const r = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/upgrade`, {
        lastExposureAt: "2022-08-01T12:00:00+08:00",
        reason: "关联病例确诊",
      });
      assert.equal(r.status, 409);
      assert.equal(r.json().error.code, "upgrade.not_secondary");
      assert.deepEqual(await stored(), before);
    });

    test("a secondary contact upgraded to close contact gets a close contact's course from the new last exposure: 7 days centralized + 3 home, tests on days 1, 2, 3, 5, 7", async () => {
      const p = await placeContact("secondary", "2022-07-31T10:00:00+08:00", hotel, room("A104"));
      assert.ok(p.course.appointments.length > 0);
      const upgradable = async (id: string) =>
        (await t.call(staff, "GET", `/api/quarantine/placements/${id}`)).json().upgradable;
      assert.equal(await upgradable(p.id), true);
      clock = new Date("2022-08-03T09:00:00+08:00");
      await login();
      const r = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/upgrade`, {
        lastExposureAt: "2022-08-02T18:00:00+08:00",
        reason: "其关联密接 8 月 3 日第 1 次检测阳性",
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const { ended, placement, changes } = r.json();
      assert.equal(ended.status, "ended");
      assert.equal(ended.releaseKind, "upgraded");
      assert.equal(ended.nextPlacementId, placement.id);
      assert.equal(ended.certificateId, null);
      assert.equal(placement.status, "placed");
      assert.equal(placement.roomId, room("A104"));
      assert.equal(placement.packId, "national-9th-edition");
      assert.deepEqual(
        placement.course.phases.map((ph: { kind: string; start: string; end: string }) => [
          ph.kind,
          ph.start,
          ph.end,
        ]),
        [
          ["centralized_quarantine", "2022-08-03", "2022-08-09"],
          ["home_health_monitoring", "2022-08-10", "2022-08-12"],
        ],
      );
      assert.deepEqual(
        placement.course.appointments.map((a: { date: string; dayNumber: number }) => [a.date, a.dayNumber]),
        [
          ["2022-08-03", 1],
          ["2022-08-04", 2],
          ["2022-08-05", 3],
          ["2022-08-07", 5],
          ["2022-08-09", 7],
          ["2022-08-12", 3],
        ],
      );
      assert.equal(placement.plannedEnd, "2022-08-09");
      assert.deepEqual(changes.plannedEnd, { before: p.plannedEnd, after: "2022-08-09" });
      assert.deepEqual(changes.tests.after, [
        "2022-08-03",
        "2022-08-04",
        "2022-08-05",
        "2022-08-07",
        "2022-08-09",
        "2022-08-12",
      ]);
      assert.match(changes.messages[1].zh, new RegExp(`计划解除日期：${p.plannedEnd} → 2022-08-09`));

      // Still in the same room, now under the new placement; the room was not sent to disinfection.
      const board = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}/board`)).json();
      const a104 = board.rooms.find((x: { number: string }) => x.number === "A104");
      assert.equal(a104.state, "occupied");
      assert.deepEqual(
        a104.occupants.map((o: { placementId: string }) => o.placementId),
        [placement.id],
      );
      assert.equal(await roomState(room("A104")), "free");
      const [entry] = await audit(p.id, "quarantine.upgrade");
      assert.equal(entry!.after.nextPlacementId, placement.id);
      assert.equal((await audit(placement.id, "quarantine.place")).length, 1);
      const detail = (await t.call(staff, "GET", `/api/quarantine/placements/${placement.id}`)).json();
      assert.equal(detail.previousPlacementId, p.id);
      assert.equal(detail.upgradable, false);
    });

    test("a secondary contact at home is upgraded only into centralized quarantine: refused at home, placed at the hotel when given", async () => {
      const p = await placeContact("secondary", "2022-08-02T10:00:00+08:00", home);
      const before = await stored();
      const body = { lastExposureAt: "2022-08-02T20:00:00+08:00", reason: "关联密接阳性" };
      const r = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/upgrade`, body);
      assert.equal(r.status, 422, JSON.stringify(r.json()));
      assert.deepEqual(
        [r.json().error.fields[0].field, r.json().error.fields[0].code],
        ["siteId", "placement.needs_centralized"],
      );
      assert.deepEqual(await stored(), before);
      const moved = await t.call(staff, "POST", `/api/quarantine/placements/${p.id}/upgrade`, {
        ...body,
        siteId: hotel,
        roomId: room("A106"),
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.json()));
      assert.equal(moved.json().placement.siteId, hotel);
      assert.equal(moved.json().placement.roomId, room("A106"));
      assert.match(moved.json().changes.messages.at(-1).zh, /崇安社区居家隔离 → 宁安宾馆/);
    });
  });
}
