import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 兴庆区 (Yinchuan), July 2022, the national 9th edition in force (risk areas): a case confirmed on
// 07-20 with onset on 07-19, so its look-back window opens on 07-17 00:00 Beijing time (2 days before
// onset). Its itinerary: home in 崇安社区, a hot-pot restaurant in 兴隆社区 on 07-18, a gym on 07-12.
// A passenger in the case's car works in Yinchuan but lives in 同心县 (Wuzhong), outside the
// investigator's jurisdiction.
const XINGQING = "640104";
const CHONGAN = "640104001002";
const XINGLONG = "640104001003";
const TONGXIN = "640324";
const FUXING = "640324100001";
const HOUR = 3_600_000;
const NOW = new Date("2022-07-20T12:00:00+08:00");
const CONFIRMED = new Date("2022-07-20T09:00:00+08:00");
const bj = (s: string) => new Date(`${s}+08:00`).toISOString();

for (const engine of testEngines()) {
  describe(`a case's itinerary, its area proposals and its assist requests (${engine})`, () => {
    let t: TestApp;
    let clock = NOW;
    let admin: string;
    let command: string;
    let investigator: string;
    let seq = 900;
    let caseId: string;
    let patient: string;
    let household: string;
    let passenger: string;
    const stays: Record<string, string> = {};

    const login = async () => {
      admin = await t.userSession("administrator", "000000");
      command = await t.userSession("command", XINGQING);
      investigator = await t.userSession("investigator", XINGQING);
    };
    const person = async (community: string) => {
      const r = await t.call(admin, "POST", "/api/people", personPayload(community, seq++));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const stay = (body: Record<string, unknown>, who = investigator, id = caseId) =>
      t.call(who, "POST", `/api/tracing/cases/${id}/stays`, body);
    const counts = async () =>
      (
        await t.db.query<{ stays: number; proposals: number; areas: number; audit: number }>(
          `SELECT (SELECT count(*)::int FROM tracing_stays) AS stays,
             (SELECT count(*)::int FROM tracing_area_proposals) AS proposals,
             (SELECT count(*)::int FROM area_designations) AS areas,
             (SELECT count(*)::int FROM audit_log) AS audit`,
        )
      ).rows[0]!;
    const newCase = async (personId: string, body: Record<string, unknown>) => {
      const r = await t.call(investigator, "POST", "/api/tracing/cases", {
        personId,
        classification: "confirmed_mild",
        foundBy: "fever_clinic",
        source: "local",
        ...body,
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };

    before(async () => {
      t = await testApp(engine, () => clock);
      await login();
      patient = await person(CHONGAN);
      household = await person(CHONGAN);
      // Registered at his workplace in Yinchuan; the investigation finds he lives in 同心县.
      passenger = await person(XINGLONG);
      caseId = await newCase(patient, {
        onsetDate: "2022-07-19",
        reportedAt: bj("2022-07-20T08:00:00"),
        confirmedAt: CONFIRMED.toISOString(),
      });
    });
    after(() => t.close());

    test("a stay ending before it starts, starting in the future or in a region not in the tree is refused, and nothing is stored", async () => {
      const before = await counts();
      const backwards = await stay({
        kind: "activity",
        regionCode: XINGLONG,
        from: bj("2022-07-18T21:00:00"),
        to: bj("2022-07-18T19:00:00"),
      });
      assert.equal(backwards.status, 422);
      assert.deepEqual(
        backwards.json().error.fields.map((f: { code: string }) => f.code),
        ["stay.ends_before_start"],
      );
      const future = await stay({
        kind: "activity",
        regionCode: XINGLONG,
        from: new Date(NOW.getTime() + HOUR).toISOString(),
        to: new Date(NOW.getTime() + 2 * HOUR).toISOString(),
      });
      assert.equal(future.status, 422);
      assert.equal(future.json().error.fields[0].code, "stay.future_time");
      assert.match(future.json().error.fields[0].message, /晚于当前时间/);
      const english = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/stays?lang=en`, {
        kind: "activity",
        regionCode: "640104001999",
        from: bj("2022-07-18T19:00:00"),
        to: bj("2022-07-18T21:00:00"),
      });
      assert.equal(english.status, 422);
      assert.equal(english.json().error.fields[0].code, "stay.region_unknown");
      assert.match(english.json().error.fields[0].message, /not in the region tree/);
      assert.deepEqual(await counts(), before);
    });

    test("the residence and a restaurant inside the window are kept; a gym a week earlier is kept with a flag and proposes nothing", async () => {
      const home = await stay({
        kind: "residence",
        regionCode: CHONGAN,
        placeName: "崇安巷小区2号楼",
        from: bj("2022-07-01T00:00:00"),
        to: bj("2022-07-20T09:00:00"),
      });
      assert.equal(home.status, 201, JSON.stringify(home.json()));
      assert.deepEqual(home.json().flags, []);
      stays.home = home.json().id;
      const hotpot = await stay({
        kind: "activity",
        regionCode: XINGLONG,
        placeName: "老码头火锅店",
        from: bj("2022-07-18T19:00:00"),
        to: bj("2022-07-18T21:00:00"),
      });
      assert.equal(hotpot.status, 201, JSON.stringify(hotpot.json()));
      stays.hotpot = hotpot.json().id;
      const gym = await stay({
        kind: "activity",
        regionCode: XINGLONG,
        placeName: "兴隆健身房",
        from: bj("2022-07-12T18:00:00"),
        to: bj("2022-07-12T19:30:00"),
      });
      assert.equal(gym.status, 201, JSON.stringify(gym.json()));
      stays.gym = gym.json().id;
      assert.deepEqual(
        gym.json().flags.map((f: { code: string }) => f.code),
        ["stay.outside_window"],
      );
      assert.equal(gym.json().inWindow, false);

      const list = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/stays`);
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.json().items.map((s: { placeName: string; inWindow: boolean }) => [s.placeName, s.inWindow]),
        [
          ["崇安巷小区2号楼", true],
          ["兴隆健身房", false],
          ["老码头火锅店", true],
        ],
      );
      const audit = await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'tracing.stay' AND entity_id = $1",
        [caseId],
      );
      assert.equal(audit.rows[0]!.n, 3);
    });

    test("the residence is proposed a high-risk area and the restaurant a medium-risk area, under the 9th edition's scheme", async () => {
      const r = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/area-proposals`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const p = r.json();
      assert.equal(p.scheme, "risk_areas");
      assert.equal(p.packId, "national-9th-edition");
      assert.deepEqual(
        p.items.map((i: { regionCode: string; placeName: string; kind: string }) => [
          i.regionCode,
          i.placeName,
          i.kind,
        ]),
        [
          [CHONGAN, "崇安巷小区2号楼", "high"],
          [XINGLONG, "老码头火锅店", "medium"],
        ],
      );
      assert.equal(p.items[0].explanation.zh, "建议划为高风险区：病例居住地「崇安巷小区2号楼」");
      assert.deepEqual(p.items[0].stayIds, [stays.home]);
      assert.equal(p.items[0].submitted, null);
      assert.deepEqual(
        p.outsideWindow.map((o: { stayId: string }) => o.stayId),
        [stays.gym],
      );
    });

    test("the investigator submits both proposals once; a proposal the itinerary no longer makes is refused whole", async () => {
      const keys = (await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/area-proposals`))
        .json()
        .items.map((i: { key: string }) => i.key);
      const before = await counts();
      const bad = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/area-proposals/submit`, {
        keys: [keys[0], `${XINGLONG}|兴隆健身房|medium`],
      });
      assert.equal(bad.status, 422);
      assert.equal(bad.json().error.fields[0].code, "proposal.not_proposed");
      assert.deepEqual(await counts(), before);

      const ok = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/area-proposals/submit`, {
        keys,
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.json()));
      assert.equal(ok.json().submitted.length, 2);
      const again = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/area-proposals/submit`, {
        keys,
      });
      assert.equal(again.status, 200);
      assert.equal(again.json().submitted.length, 0);
      assert.deepEqual(again.json().alreadyWaiting, keys);
      assert.equal((await counts()).proposals, 2);
      const audit = await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'tracing.area_propose'",
      );
      assert.equal(audit.rows[0]!.n, 1);
    });

    test("the command confirms the high-risk area, which is designated and linked to the case; rejects the restaurant with a reason; the investigator cannot decide", async () => {
      const waiting = await t.call(command, "GET", "/api/tracing/area-proposals");
      assert.equal(waiting.status, 200, JSON.stringify(waiting.json()));
      const items = waiting.json().items as { id: string; kind: string; regionName: string }[];
      assert.deepEqual(
        items.map((i) => i.kind),
        ["high", "medium"],
      );
      assert.equal((await t.call(investigator, "GET", "/api/tracing/area-proposals")).status, 403);
      const high = items[0]!;
      const medium = items[1]!;
      assert.equal(
        (await t.call(investigator, "POST", `/api/tracing/area-proposals/${high.id}/confirm`, {})).status,
        403,
      );

      clock = new Date(NOW.getTime() + HOUR);
      await login();
      const confirmed = await t.call(command, "POST", `/api/tracing/area-proposals/${high.id}/confirm`, {});
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.json()));
      assert.equal(confirmed.json().status, "confirmed");
      const areas = await t.call(command, "GET", `/api/areas?regionCode=${CHONGAN}`);
      assert.equal(areas.status, 200, JSON.stringify(areas.json()));
      const area = areas.json().items.find((a: { id: string }) => a.id === confirmed.json().designationId);
      assert.ok(area, "the designation is in force");
      assert.equal(area.kind, "high");
      assert.equal(area.placeName, "崇安巷小区2号楼");
      assert.equal(area.linkedCase, caseId);
      assert.equal(area.reason, "病例居住地");
      assert.equal(
        (await t.call(command, "POST", `/api/tracing/area-proposals/${high.id}/confirm`, {})).status,
        409,
      );

      const before = await counts();
      const blank = await t.call(command, "POST", `/api/tracing/area-proposals/${medium.id}/reject`, {
        reason: " ",
      });
      assert.equal(blank.status, 422);
      assert.deepEqual(await counts(), before);
      const rejected = await t.call(command, "POST", `/api/tracing/area-proposals/${medium.id}/reject`, {
        reason: "仅短暂停留，已终末消毒",
      });
      assert.equal(rejected.status, 200);
      assert.equal(rejected.json().status, "rejected");
      assert.equal((await t.call(command, "GET", "/api/tracing/area-proposals")).json().items.length, 0);
      const actions = await t.db.query<{ action: string }>(
        `SELECT action FROM audit_log WHERE action IN ('area.designate', 'tracing.area_confirm', 'tracing.area_reject')
         ORDER BY at, action`,
      );
      assert.deepEqual(
        actions.rows.map((a) => a.action),
        ["area.designate", "tracing.area_confirm", "tracing.area_reject"],
      );
      const seen = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/area-proposals`);
      assert.deepEqual(
        seen.json().items.map((i: { submitted: { status: string } }) => i.submitted.status),
        ["confirmed", "rejected"],
      );
    });

    test("a stay recorded by mistake is deleted; what it was stays on the audit record", async () => {
      const del = await t.call(investigator, "DELETE", `/api/tracing/cases/${caseId}/stays/${stays.gym}`);
      assert.equal(del.status, 204);
      const list = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/stays`);
      assert.deepEqual(
        list.json().items.map((s: { id: string }) => s.id),
        [stays.home, stays.hotpot],
      );
      const audit = await t.db.query<{ before: { placeName: string } }>(
        "SELECT before FROM audit_log WHERE action = 'tracing.stay_delete'",
      );
      assert.equal(audit.rows.length, 1);
      assert.equal(audit.rows[0]!.before.placeName, "兴隆健身房");
      assert.equal(
        (await t.call(investigator, "DELETE", `/api/tracing/cases/${caseId}/stays/${stays.gym}`)).status,
        404,
      );
    });

    test("a passenger living in 同心县 is forwarded once as an assist request to 同心县, due 48 h after the confirmation; the household member is not", async () => {
      for (const [who, setting, region] of [
        [household, "household", CHONGAN],
        [passenger, "vehicle", FUXING],
      ] as const) {
        const r = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/exposures`, {
          exposedPersonId: who,
          at: bj("2022-07-19T08:00:00"),
          durationMinutes: 40,
          setting,
          proximity: "within_1m",
          exposedRegionCode: region,
        });
        assert.equal(r.status, 201, JSON.stringify(r.json()));
      }
      const classify = () => t.call(investigator, "POST", `/api/tracing/cases/${caseId}/classify`);
      const first = await classify();
      assert.equal(first.status, 200, JSON.stringify(first.json()));
      assert.equal(first.json().counts.assist, 1);
      const again = await classify();
      assert.equal(again.status, 200);

      const lists = await t.db.query<{ id: string; regionCode: string; deadlineAt: Date; source: string }>(
        `SELECT id, region_code AS "regionCode", deadline_at AS "deadlineAt", source FROM assist_lists`,
      );
      assert.equal(lists.rows.length, 1, "one list, however often the case is classified");
      const list = lists.rows[0]!;
      assert.equal(list.regionCode, TONGXIN);
      assert.equal(list.deadlineAt.getTime(), CONFIRMED.getTime() + 48 * HOUR);
      assert.ok(list.source.includes(caseId));
      const rows = await t.db.query<{ personId: string; state: string; regionCode: string; reason: string }>(
        `SELECT person_id AS "personId", state, region_code AS "regionCode", reason FROM assist_rows WHERE list_id = $1`,
        [list.id],
      );
      assert.deepEqual(
        rows.rows.map((r) => [r.personId, r.state, r.regionCode]),
        [[passenger, "dispatched", FUXING]],
      );
      assert.match(rows.rows[0]!.reason, /^密切接触者：同乘交通工具/);

      const sent = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/assist-requests`);
      assert.equal(sent.status, 200);
      assert.deepEqual(
        sent
          .json()
          .items.map((f: { personId: string; regionCode: string; listId: string }) => [
            f.personId,
            f.regionCode,
            f.listId,
          ]),
        [[passenger, TONGXIN, list.id]],
      );
      const audit = await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'assist.from_case'",
      );
      assert.equal(audit.rows[0]!.n, 1);

      // 同心县's own staff see it among their assist lists, with the passenger's row.
      const tongxin = await t.userSession("command", TONGXIN);
      const theirs = await t.call(tongxin, "GET", "/api/assist-lists");
      assert.equal(theirs.status, 200, JSON.stringify(theirs.json()));
      assert.deepEqual(
        theirs.json().items.map((l: { id: string }) => l.id),
        [list.id],
      );
      assert.equal(theirs.json().items[0].counts.dispatched, 1);
      // Not the investigator's own district's list.
      const mine = await t.call(command, "GET", "/api/assist-lists");
      assert.equal(mine.json().items.length, 0);
    });

    test("under the 8th edition (2021) the same itinerary proposes a sealed and a controlled zone", async () => {
      clock = new Date("2021-12-10T12:00:00+08:00");
      await login();
      const p = await person(CHONGAN);
      const id = await newCase(p, {
        onsetDate: "2021-12-09",
        reportedAt: bj("2021-12-10T08:00:00"),
        confirmedAt: bj("2021-12-10T09:00:00"),
      });
      for (const body of [
        {
          kind: "residence",
          regionCode: CHONGAN,
          from: bj("2021-12-01T00:00:00"),
          to: bj("2021-12-10T09:00:00"),
        },
        {
          kind: "work",
          regionCode: XINGLONG,
          placeName: "兴隆物流园",
          from: bj("2021-12-08T09:00:00"),
          to: bj("2021-12-08T18:00:00"),
        },
      ])
        assert.equal((await stay(body, investigator, id)).status, 201);
      const r = await t.call(investigator, "GET", `/api/tracing/cases/${id}/area-proposals`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().scheme, "zones");
      assert.equal(r.json().packId, "national-8th-edition");
      assert.deepEqual(
        r.json().items.map((i: { kind: string }) => i.kind),
        ["sealed", "controlled"],
      );
    });
  });
}
