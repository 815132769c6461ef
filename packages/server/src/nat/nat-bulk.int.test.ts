import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";
import { roundCounts, sampledByRegion } from "./nat.repository.ts";

// Xingqing district (640104, Yinchuan): a controlled zone over one community of its first township (10
// in 1 at most), another community with no zone (elsewhere: 10 in 1); offline sampling records uploaded
// for a round, then the lab's result file.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const CONTROLLED = "640104001002";
const PLAIN = "640104001003";
const START = new Date("2022-04-10T08:00:00+08:00");
const HOURS = 3_600_000;
const AT = "2022-04-10T09:00:00+08:00";
const LAB = "宁夏医科大学总医院检验科";

for (const engine of testEngines()) {
  describe(`nucleic acid bulk paths: sampling records and result files (${engine})`, () => {
    let t: TestApp;
    let clock = new Date(START.getTime() + 2 * HOURS);
    let command: string;
    let grid: string;
    let lab: string;
    let point: string;
    let campaign: string;
    let round: string;
    let seq = 700;
    const controlled: { id: string; doc: string }[] = [];
    const plain: { id: string; doc: string }[] = [];

    const person = async (community: string) => {
      const r = await t.call(command, "POST", "/api/people", personPayload(community, seq++));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return { id: r.json().id as string, doc: r.json().documentNumber as string };
    };
    const stored = async () =>
      (
        await t.db.query<{ tubes: number; swabs: number; results: number; recalls: number; closed: number }>(
          `SELECT (SELECT count(*)::int FROM nat_tubes) AS tubes, (SELECT count(*)::int FROM nat_swabs) AS swabs,
             (SELECT count(*)::int FROM nat_lab_results) AS results, (SELECT count(*)::int FROM nat_recalls) AS recalls,
             (SELECT count(*)::int FROM nat_swab_results WHERE closed_at IS NOT NULL) AS closed`,
        )
      ).rows[0]!;
    const upload = (lines: string[], who = grid) =>
      t.call(
        who,
        "POST",
        `/api/nat/sampling-records/import?roundId=${round}&fileName=desk-3.csv`,
        ["barcode,person_id,document_number,sampled_at,sampling_point_id,pool_size", ...lines].join("\n"),
        { "content-type": "text/csv" },
      );
    const results = (lines: string[]) =>
      t.call(
        lab,
        "POST",
        "/api/nat/lab-results/import?fileName=results.csv",
        ["barcode,result,ct_orf1ab,ct_n,tested_at,lab", ...lines].join("\n"),
        { "content-type": "text/csv" },
      );
    const byId = (barcode: string, p: { id: string }, size: number) =>
      `${barcode},${p.id},,${AT},${point},${size}`;
    const byDoc = (barcode: string, p: { doc: string }, size: number) =>
      `${barcode},,${p.doc},${AT},${point},${size}`;

    before(async () => {
      t = await testApp(engine, () => clock);
      command = await t.userSession("command", XINGQING);
      grid = await t.userSession("grid_worker", XINGQING);
      lab = await t.userSession("lab", XINGQING);
      for (let i = 0; i < 14; i++) controlled.push(await person(CONTROLLED));
      for (let i = 0; i < 6; i++) plain.push(await person(PLAIN));
      assert.equal(
        (
          await t.call(command, "POST", "/api/areas", {
            regionCode: CONTROLLED,
            kind: "controlled",
            from: "2022-04-09T00:00:00+08:00",
            reason: "本土病例关联",
          })
        ).status,
        201,
      );
      point = (
        await t.call(command, "POST", "/api/nat/sampling-points", {
          name: "崇安社区采样点",
          address: "崇安巷1号",
          regionCode: TOWNSHIP,
          hours: "07:00-21:00",
          desks: 4,
          capacityPerHour: 180,
        })
      ).json().id;
      const c = await t.call(command, "POST", "/api/nat/campaigns", {
        name: "胜利街区域核酸",
        kind: "designated_area",
        regionCodes: [TOWNSHIP],
        startsAt: START.toISOString(),
        rounds: 3,
      });
      assert.equal(c.status, 201, JSON.stringify(c.json()));
      campaign = c.json().id;
      round = c.json().roundList[0].id;
    });
    after(() => t.close());

    test("a desk's offline records are stored: a 10-in-1 tube of the controlled zone (people by id and by document number) and a single tube, both sealed", async () => {
      const r = await upload([
        ...controlled.slice(0, 5).map((p) => byId("BK-0001", p, 10)),
        ...controlled.slice(5, 10).map((p) => byDoc("BK-0001", p, 10)),
        byDoc("BK-0002", plain[0]!, 1),
      ]);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual([r.json().read, r.json().tubes, r.json().swabs], [11, 2, 11]);
      const tubes = await t.db.query<{ barcode: string; size: number; sealed: boolean; members: number }>(
        `SELECT barcode, size, sealed_at IS NOT NULL AS sealed,
           (SELECT count(*)::int FROM nat_swabs s WHERE s.tube_barcode = t.barcode) AS members
         FROM nat_tubes t ORDER BY barcode`,
      );
      assert.deepEqual(
        tubes.rows.map((x) => [x.barcode, x.size, x.sealed, x.members]),
        [
          ["BK-0001", 10, true, 10],
          ["BK-0002", 1, true, 1],
        ],
      );
      const audit = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'nat.sampling_import'`,
      );
      assert.equal(audit.rows[0]!.n, 1);
    });

    test("a bad file is refused whole, every bad line named: unknown person, twice in the file, already sampled, over size, mixed sizes, sealed tube, a pool bigger than the zone's, a bad time", async () => {
      const before = await stored();
      const r = await upload([
        byDoc("BK-0010", { doc: "640104199003089999" }, 10), // line 2: unknown person
        byId("BK-0011", plain[1]!, 10), // 3
        byId("BK-0012", plain[1]!, 10), // 4: twice in the file
        byId("BK-0013", controlled[0]!, 10), // 5: already sampled this round (BK-0001)
        byId("BK-0014", plain[2]!, 1), // 6: over size …
        byId("BK-0014", plain[3]!, 1), // 7: … both lines of the tube
        byId("BK-0015", controlled[10]!, 5), // 8: mixed sizes …
        byId("BK-0015", controlled[11]!, 10), // 9
        byId("BK-0002", plain[4]!, 1), // 10: a sealed tube
        byId("BK-0016", controlled[12]!, 20), // 11: controlled zone, 20-in-1
        `BK-0017,${plain[5]!.id},,yesterday,${point},10`, // 12: bad time
      ]);
      assert.equal(r.status, 422);
      const fields = r.json().error.fields as { field: string; code: string; message: string }[];
      assert.deepEqual(
        fields.map((f) => [f.field, f.code]),
        [
          ["rows[2].document_number", "nat.person_unknown"],
          ["rows[4].person_id", "nat.person_twice_in_file"],
          ["rows[5].person_id", "nat.person_already_sampled"],
          ["rows[6].barcode", "nat.tube_over_size"],
          ["rows[7].barcode", "nat.tube_over_size"],
          ["rows[8].pool_size", "nat.tube_mixed_sizes"],
          ["rows[9].pool_size", "nat.tube_mixed_sizes"],
          ["rows[10].barcode", "nat.tube_sealed"],
          ["rows[11].pool_size", "nat.pool_size_mismatch"],
          ["rows[12].sampled_at", "nat.invalid_sampled_at"],
        ],
      );
      assert.match(fields[0]!.message, /^第 2 行/);
      assert.deepEqual(await stored(), before);
    });

    test("a file whose only fault is a person twice in it and one already sampled is refused when the swabs' key refuses them, both lines named; nothing stored", async () => {
      const before = await stored();
      const r = await upload([
        byId("BK-0020", plain[1]!, 10), // 2
        byDoc("BK-0020", plain[1]!, 10), // 3: twice in the file (by document this time)
        byId("BK-0020", controlled[1]!, 10), // 4: already sampled this round (BK-0001)
        byId("BK-0020", plain[2]!, 10), // 5
      ]);
      assert.equal(r.status, 422, JSON.stringify(r.json()));
      assert.deepEqual(
        (r.json().error.fields as { field: string; code: string }[]).map((f) => [f.field, f.code]),
        [
          ["rows[3].person_id", "nat.person_twice_in_file"],
          ["rows[4].person_id", "nat.person_already_sampled"],
        ],
      );
      assert.deepEqual(await stored(), before);
    });

    test("a swab or a result refers only to people, rounds and tubes that exist: one row or many, the statement is refused (foreign_key_violation) and nothing stored", async () => {
      const before = await stored();
      const refused = async (sql: string) =>
        assert.rejects(t.db.query(sql), (e: { code?: string; message?: string }) => {
          assert.equal(e.code, "23503", e.message);
          return true;
        });
      const copy = (person: string, tube: string) =>
        `INSERT INTO nat_swabs (person_id, round_id, tube_barcode, household_id, region_code, sampled_at, retest)
         SELECT ${person}, round_id, ${tube}, household_id, region_code, sampled_at, true FROM nat_swabs`;
      // Every swab again as a retest, one of them for a person who does not exist.
      await refused(
        copy(
          `CASE WHEN tube_barcode = 'BK-0002' THEN '01900000-0000-7000-8000-000000000000'::uuid ELSE person_id END`,
          "tube_barcode",
        ),
      );
      await refused(
        copy("person_id", `CASE WHEN tube_barcode = 'BK-0002' THEN 'NO-SUCH-TUBE' ELSE tube_barcode END`),
      );
      await refused(
        `INSERT INTO nat_lab_results (barcode, id, result, tested_at, lab, received_at, outcome, fingerprint, notes, batch_id)
         VALUES ('NO-SUCH-TUBE', gen_random_uuid(), 'negative', now(), 'x', now(), 'recorded', 'x', '[]', gen_random_uuid())`,
      );
      assert.deepEqual(await stored(), before);
    });

    test("a round's coverage counts every swab as written, moved to another region or removed, and reads the same when read again (the counts folded)", async () => {
      const truth = async () =>
        new Map(
          (
            await t.db.query<{ code: string; n: number }>(
              `SELECT region_code AS code, count(*)::int AS n FROM nat_swabs WHERE round_id = $1 AND NOT retest
               GROUP BY region_code`,
              [round],
            )
          ).rows.map((r) => [r.code, r.n]),
        );
      const counted = () => sampledByRegion(t.db, round);
      const expected = await truth();
      assert.equal(
        [...expected.values()].reduce((a, b) => a + b, 0),
        11,
      );
      assert.deepEqual(await counted(), expected);
      // Read again: the rows were folded into one per region, the figures are the same.
      assert.deepEqual(await counted(), expected);
      const rows = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM nat_swab_counts WHERE round_id = $1`,
        [round],
      );
      assert.equal(rows.rows[0]!.n, expected.size);

      const { personId: one, regionCode } = (
        await t.db.query<{ personId: string; regionCode: string }>(
          `SELECT person_id AS "personId", region_code AS "regionCode" FROM nat_swabs
           WHERE round_id = $1 AND tube_barcode = 'BK-0002'`,
          [round],
        )
      ).rows[0]!;
      await t.db.query(`UPDATE nat_swabs SET region_code = $2 WHERE person_id = $1 AND round_id = $3`, [
        one,
        CONTROLLED,
        round,
      ]);
      assert.deepEqual(await counted(), await truth());
      const kept = await t.db.query(
        `DELETE FROM nat_swabs WHERE person_id = $1 AND round_id = $2 RETURNING *`,
        [one, round],
      );
      assert.deepEqual(await counted(), await truth());
      assert.equal((await roundCounts(t.db, round)).swabs, 10);
      await t.db.query(
        `INSERT INTO nat_swabs SELECT * FROM json_populate_record(null::nat_swabs, $1::json)`,
        [JSON.stringify({ ...kept.rows[0], region_code: regionCode })],
      );
      assert.deepEqual(await counted(), expected);
      assert.equal((await roundCounts(t.db, round)).swabs, 11);
    });

    test("a result file with a Ct over the policy's 40 and a tube tested before its first swab is refused, naming both rows; nothing stored", async () => {
      const before = await stored();
      const r = await results([
        `BK-0001,positive,45,30,2022-04-10T09:30:00+08:00,${LAB}`,
        `BK-0002,negative,,,2022-04-10T08:30:00+08:00,${LAB}`,
      ]);
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.json().error.fields.map((f: { field: string; code: string }) => [f.field, f.code]),
        [
          ["rows[2].ct.orf1ab", "nat.ct_out_of_range"],
          ["rows[3].testedAt", "nat.tested_before_sampling"],
        ],
      );
      assert.deepEqual(await stored(), before);
    });

    test("the pool's positive result puts its 10 members on the recall list of their community, due in 2 h; the single tube's negative closes its test; an unknown tube is reported; sent again, nothing is stored twice", async () => {
      clock = new Date(START.getTime() + 4 * HOURS);
      const file = [
        `BK-0001,positive,28.4,26.9,2022-04-10T10:30:00+08:00,${LAB}`,
        `BK-0002,negative,,,2022-04-10T10:30:00+08:00,${LAB}`,
        `BK-9999,negative,,,2022-04-10T10:30:00+08:00,${LAB}`,
      ];
      const r = await results(file);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const b = r.json();
      assert.deepEqual(
        [b.recorded, b.unknown, b.testsClosed, b.recalled, b.caseCandidates],
        [2, 1, 1, 10, 0],
      );
      assert.deepEqual(
        b.outcomes.map((o: { barcode: string; status: string; effect: string | null }) => [
          o.barcode,
          o.status,
          o.effect,
        ]),
        [
          ["BK-0001", "recorded", "recall"],
          ["BK-0002", "recorded", "tests_closed"],
          ["BK-9999", "unknown_tube", null],
        ],
      );
      const recall = await t.call(command, "GET", `/api/nat/campaigns/${campaign}/recall`);
      assert.equal(recall.status, 200, JSON.stringify(recall.json()));
      const groups = recall.json().groups as {
        communityCode: string;
        deadline: string;
        members: unknown[];
      }[];
      assert.deepEqual(
        groups.map((g) => [g.communityCode, g.members.length, g.deadline]),
        [[CONTROLLED, 10, new Date(clock.getTime() + 2 * HOURS).toISOString()]],
      );
      const before = await stored();
      assert.deepEqual([before.results, before.recalls], [2, 10]);
      const again = await results(file);
      assert.deepEqual([again.json().recorded, again.json().unchanged, again.json().unknown], [0, 2, 1]);
      assert.deepEqual(await stored(), before);
    });

    test("a different result for a tube with one is kept once as a conflict naming what differs; the first stays", async () => {
      const line = `BK-0002,positive,30.1,29.5,2022-04-10T10:30:00+08:00,${LAB}`;
      const r = await results([line]);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual([r.json().conflicts, r.json().outcomes[0].differs], [1, ["call", "ct"]]);
      await results([line]);
      const rows = await t.db.query<{ outcome: string; differs: string[] }>(
        `SELECT outcome, raw -> 'differs' AS differs FROM nat_lab_results WHERE barcode = 'BK-0002' ORDER BY outcome`,
      );
      assert.deepEqual(
        rows.rows.map((x) => [x.outcome, x.differs]),
        [
          ["conflict", ["call", "ct"]],
          ["recorded", null],
        ],
      );
    });
  });
}
