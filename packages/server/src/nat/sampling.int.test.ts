import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { placeDirectly } from "../testing/quarantine-fixtures.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// Xingqing district (640104, Yinchuan): a controlled zone over one community of its first township, a
// precaution zone over the next, a sealed compound's household in a third; a screening round at a
// sampling point of the township.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const CONTROLLED = "640104001002";
const PRECAUTION = "640104001003";
const JINFENG = "640105";
const HOURS = 3_600_000;

for (const engine of testEngines()) {
  describe(`nucleic acid sampling: points, campaigns, tubes at a desk (${engine})`, () => {
    let t: TestApp;
    let clock = new Date("2022-04-10T08:00:00+08:00");
    let command: string;
    let grid: string;
    let otherGrid: string;
    let lab: string;
    let point: string;
    let campaign: string;
    let round1: string;
    let seq = 300;
    const people: Record<string, string[]> = {};

    const person = async (community: string, extra: Record<string, unknown> = {}) => {
      const r = await t.call(command, "POST", "/api/people", personPayload(community, seq++, extra));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json() as { id: string; documentNumber: string };
    };
    const stored = async () =>
      (
        await t.db.query<{ tubes: number; swabs: number; audit: number }>(
          `SELECT (SELECT count(*)::int FROM nat_tubes) AS tubes, (SELECT count(*)::int FROM nat_swabs) AS swabs,
             (SELECT count(*)::int FROM audit_log WHERE action LIKE 'nat.%') AS audit`,
        )
      ).rows[0]!;
    const open = (who: string, body: Record<string, unknown>) =>
      t.call(who, "POST", "/api/nat/tubes", { roundId: round1, samplingPointId: point, ...body });

    before(async () => {
      t = await testApp(engine, () => clock);
      command = await t.userSession("command", XINGQING);
      grid = await t.userSession("grid_worker", XINGQING);
      otherGrid = await t.userSession("grid_worker", JINFENG);
      lab = await t.userSession("lab", XINGQING);
      people.controlled = [];
      people.precaution = [];
      for (let i = 0; i < 12; i++) people.controlled.push((await person(CONTROLLED)).id);
      for (let i = 0; i < 8; i++) people.precaution.push((await person(PRECAUTION)).id);
      for (const [regionCode, kind] of [
        [CONTROLLED, "controlled"],
        [PRECAUTION, "precaution"],
      ])
        assert.equal(
          (
            await t.call(command, "POST", "/api/areas", {
              regionCode,
              kind,
              from: "2022-04-09T00:00:00+08:00",
              reason: "本土病例关联",
            })
          ).status,
          201,
        );
    });
    after(() => t.close());

    test("the command registers a sampling point with its desks and hours; a grid worker may not, and sees it listed", async () => {
      const r = await t.call(command, "POST", "/api/nat/sampling-points", {
        name: "胜利街社区核酸采样点",
        address: "胜利街12号广场",
        regionCode: TOWNSHIP,
        hours: "07:00-21:00",
        desks: 4,
        capacityPerHour: 180,
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      point = r.json().id;
      const refused = await t.call(grid, "POST", "/api/nat/sampling-points", {
        name: "x",
        address: "y",
        regionCode: TOWNSHIP,
        hours: "24h",
        desks: 1,
        capacityPerHour: 10,
      });
      assert.equal(refused.status, 403);
      const list = await t.call(grid, "GET", "/api/nat/sampling-points");
      assert.deepEqual(
        list.json().items.map((p: { name: string; desks: number }) => [p.name, p.desks]),
        [["胜利街社区核酸采样点", 4]],
      );
      assert.equal((await t.call(otherGrid, "GET", "/api/nat/sampling-points")).json().items.length, 0);
    });

    test("a designated-area campaign over the township: 24 h per round (Guideline v3), 3 daily rounds, the registry's 20 people as target", async () => {
      const r = await t.call(command, "POST", "/api/nat/campaigns", {
        name: "兴庆区胜利街区域核酸第一阶段",
        kind: "designated_area",
        regionCodes: [TOWNSHIP],
        startsAt: "2022-04-10T08:00:00+08:00",
        rounds: 3,
        intervalDays: 1,
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const c = r.json();
      campaign = c.id;
      round1 = c.roundList[0].id;
      assert.equal(c.population, 20);
      assert.equal(c.deadlineHours, 24);
      assert.equal(c.deadlineAt, "2022-04-11T00:00:00.000Z");
      assert.deepEqual(
        c.roundList.map((x: { number: number; windowFrom: string; deadlineAt: string }) => [
          x.number,
          x.windowFrom,
          x.deadlineAt,
        ]),
        [
          [1, "2022-04-10", "2022-04-11T00:00:00.000Z"],
          [2, "2022-04-11", "2022-04-12T00:00:00.000Z"],
          [3, "2022-04-12", "2022-04-13T00:00:00.000Z"],
        ],
      );
      assert.deepEqual(c.notes, []);
      const two = await t.call(command, "POST", "/api/nat/campaigns", {
        name: "两轮",
        kind: "designated_area",
        regionCodes: [TOWNSHIP],
        startsAt: "2022-04-10T08:00:00+08:00",
        rounds: 2,
        intervalDays: 5,
      });
      assert.match(two.json().notes[0].en, /fewer than the 3 asked for/);
      const nested = await t.call(command, "POST", "/api/nat/campaigns", {
        name: "重叠",
        kind: "designated_area",
        regionCodes: [TOWNSHIP, CONTROLLED],
        startsAt: "2022-04-10T08:00:00+08:00",
      });
      assert.equal(nested.status, 422);
      assert.equal(nested.json().error.fields[0].code, "nat.region_nested");
      assert.equal(
        (
          await t.call(grid, "POST", "/api/nat/campaigns", {
            name: "x",
            kind: "designated_area",
            regionCodes: [TOWNSHIP],
            startsAt: "2022-04-10T08:00:00+08:00",
          })
        ).status,
        403,
      );
    });

    test("a controlled-zone resident opens a 10-in-1 tube (Langfang 「管控区: 10合1」); nine more fill it; the eleventh is refused", async () => {
      const first = await open(grid, {
        barcode: "YC22041000001",
        person: { personId: people.controlled![0] },
      });
      assert.equal(first.status, 201, JSON.stringify(first.json()));
      assert.deepEqual(
        [first.json().tube.size, first.json().tube.mode, first.json().resumed],
        [10, "pool", false],
      );
      assert.match(first.json().pool.reason.en, /controlled zone: 10-in-1 pool/i);
      for (const id of people.controlled!.slice(1, 10)) {
        const r = await t.call(grid, "POST", "/api/nat/tubes/YC22041000001/swabs", { personId: id });
        assert.equal(r.status, 201, JSON.stringify(r.json()));
      }
      const before = await stored();
      const full = await t.call(grid, "POST", "/api/nat/tubes/YC22041000001/swabs", {
        personId: people.controlled![10],
      });
      assert.equal(full.status, 422);
      assert.equal(full.json().error.fields[0].code, "nat.tube_full");
      assert.deepEqual(await stored(), before);
    });

    test("a person scanned again this round is refused, the error naming the first tube; a sealed tube cannot be opened again", async () => {
      const sealed = await t.call(grid, "POST", "/api/nat/tubes/YC22041000001/seal");
      assert.equal(sealed.status, 200, JSON.stringify(sealed.json()));
      assert.equal(sealed.json().members.length, 10);
      const before = await stored();
      const again = await open(grid, {
        barcode: "YC22041000002",
        person: { personId: people.controlled![3] },
      });
      assert.equal(again.status, 422);
      assert.equal(again.json().error.fields[0].code, "nat.person_already_sampled");
      assert.match(again.json().error.fields[0].message, /YC22041000001/);
      const reopened = await open(grid, {
        barcode: "YC22041000001",
        person: { personId: people.controlled![11] },
      });
      assert.equal(reopened.json().error.fields[0].code, "nat.tube_scanned_twice");
      const twice = await t.call(grid, "POST", "/api/nat/tubes/YC22041000001/seal");
      assert.equal(twice.json().error.fields[0].code, "nat.tube_scanned_twice");
      const unknown = await t.call(grid, "POST", "/api/nat/tubes/NOSUCHTUBE/swabs", {
        personId: people.controlled![11],
      });
      assert.deepEqual([unknown.status, unknown.json().error.code], [404, "nat.tube_unknown"]);
      assert.deepEqual(await stored(), before);
    });

    test("a precaution-zone resident opens a 20-in-1 tube by document number; a controlled-zone resident cannot go into it", async () => {
      const doc = (
        await t.db.query<{ d: string }>(`SELECT document_number AS d FROM persons WHERE id = $1`, [
          people.precaution![0],
        ])
      ).rows[0]!.d;
      const r = await open(grid, { barcode: "YC22041000003", person: { documentNumber: doc } });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.equal(r.json().tube.size, 20);
      const before = await stored();
      const mismatch = await t.call(grid, "POST", "/api/nat/tubes/YC22041000003/swabs", {
        personId: people.controlled![11],
      });
      assert.equal(mismatch.json().error.fields[0].code, "nat.pool_size_mismatch");
      assert.match(mismatch.json().error.fields[0].message, /管控区/);
      assert.deepEqual(await stored(), before);
      // Scanning the open tube's barcode again at the desk resumes it for the next person.
      const resumed = await open(grid, {
        barcode: "YC22041000003",
        person: { personId: people.precaution![1] },
      });
      assert.deepEqual(
        [resumed.status, resumed.json().resumed, resumed.json().tube.members.length],
        [201, true, 2],
      );
    });

    test("a sealed compound (封控区): one tube per household (Guideline v2), sized for the household; a neighbour's swab is refused", async () => {
      const hh = await t.call(command, "POST", "/api/households", {
        regionCode: CONTROLLED,
        address: "胜利街12号3单元501",
      });
      assert.equal(hh.status, 201, JSON.stringify(hh.json()));
      const members = [];
      for (let i = 0; i < 3; i++) members.push((await person(CONTROLLED, { householdId: hh.json().id })).id);
      const neighbour = (await person(CONTROLLED)).id;
      const sealedZone = await t.call(command, "POST", "/api/areas", {
        regionCode: CONTROLLED,
        placeName: "胜利街12号院",
        kind: "sealed",
        from: "2022-04-10T07:00:00+08:00",
        reason: "确诊病例居住小区",
      });
      assert.equal(sealedZone.status, 201, JSON.stringify(sealedZone.json()));
      const r = await open(grid, { barcode: "YC22041000004", person: { personId: members[0] } });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.deepEqual(
        [r.json().tube.mode, r.json().tube.size, r.json().tube.householdKey],
        ["household", 5, hh.json().id],
      );
      assert.equal(
        (await t.call(grid, "POST", "/api/nat/tubes/YC22041000004/swabs", { personId: members[1] })).status,
        201,
      );
      const other = await t.call(grid, "POST", "/api/nat/tubes/YC22041000004/swabs", { personId: neighbour });
      assert.equal(other.status, 422);
      assert.equal(other.json().error.fields[0].code, "nat.household_unknown");
    });

    test("a person at an isolation site is a key group: a single tube (Langfang 「isolation sites and key people: single-sample, single-test」)", async () => {
      const site = await t.call(command, "POST", "/api/quarantine/sites", {
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街88号",
        regionCode: TOWNSHIP,
      });
      assert.equal(site.status, 201, JSON.stringify(site.json()));
      const rooms = await t.call(command, "POST", `/api/quarantine/sites/${site.json().id}/rooms`, {
        from: 1,
        to: 1,
        type: "single",
      });
      const placed = (await person(CONTROLLED)).id;
      await placeDirectly(t, {
        personId: placed,
        siteId: site.json().id,
        roomId: rooms.json().items[0].id,
        placedAt: "2022-04-09T20:00:00+08:00",
      });
      const r = await open(grid, { barcode: "YC22041000006", person: { personId: placed } });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.deepEqual([r.json().tube.size, r.json().pool.basis], [1, "key_group"]);
      const sealed = await t.call(grid, "POST", "/api/nat/tubes/YC22041000006/seal");
      assert.equal(sealed.status, 200);
    });

    test("outside the jurisdiction and without the permission: refused", async () => {
      const r = await open(otherGrid, {
        barcode: "YC22041000005",
        person: { personId: people.controlled![11] },
      });
      assert.deepEqual([r.status, r.json().error.code], [403, "outside_jurisdiction"]);
      const l = await open(lab, { barcode: "YC22041000005", person: { personId: people.controlled![11] } });
      assert.deepEqual([l.status, l.json().error.code], [403, "forbidden"]);
      const unknownPerson = await open(grid, {
        barcode: "YC22041000005",
        person: { documentNumber: "640104199001010000" },
      });
      assert.deepEqual([unknownPerson.status, unknownPerson.json().error.code], [404, "nat.person_unknown"]);
    });

    test("coverage by region: sampled / registry population, the township and each community", async () => {
      clock = new Date(clock.getTime() + 2 * HOURS);
      const r = await t.call(grid, "GET", `/api/nat/campaigns/${campaign}`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const d = r.json();
      assert.equal(d.round.number, 1);
      const row = (code: string) => d.coverage.find((c: { code: string }) => c.code === code);
      // 12 + 4 (household and neighbour) + 1 (at the isolation site) registered in the controlled
      // community, 10 + 2 + 1 sampled there;
      // 8 in the precaution community, 2 sampled.
      assert.deepEqual(
        [row(TOWNSHIP).target, row(TOWNSHIP).sampled, row(CONTROLLED).target, row(CONTROLLED).sampled],
        [25, 15, 17, 13],
      );
      assert.equal(row(CONTROLLED).coverage, 13 / 17);
      assert.deepEqual([row(PRECAUTION).sampled, row(PRECAUTION).remaining], [2, 6]);
      assert.deepEqual([d.counts.tubes, d.counts.sealed, d.counts.swabs], [4, 2, 15]);
      assert.deepEqual(d.pending, { tubes: 2, overdue: 0 });
      const unsampled = await t.call(grid, "GET", `/api/nat/campaigns/${campaign}/unsampled`);
      assert.equal(unsampled.status, 200, JSON.stringify(unsampled.json()));
      assert.deepEqual(
        unsampled
          .json()
          .grids.map((g: { gridCode: string; people: unknown[] }) => [g.gridCode, g.people.length]),
        [
          [PRECAUTION, 6],
          [CONTROLLED, 4],
        ],
      );
      assert.equal(unsampled.json().people, 10);
      assert.equal((await t.call(otherGrid, "GET", `/api/nat/campaigns/${campaign}/unsampled`)).status, 403);
      const audit = await t.db.query<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM audit_log WHERE action LIKE 'nat.%' GROUP BY action ORDER BY action`,
      );
      assert.deepEqual(
        audit.rows.map((a) => [a.action, a.n]),
        [
          ["nat.campaign_create", 2],
          ["nat.sampling_point_create", 1],
          ["nat.swab_add", 15],
          ["nat.tube_open", 4],
          ["nat.tube_seal", 2],
        ],
      );
    });
  });
}
