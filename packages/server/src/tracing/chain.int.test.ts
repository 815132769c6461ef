import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 兴庆区 (Yinchuan), April 2022. Cases made by hand: A infects B (an exposure recorded on A's case names
// B's person), B infects C (C's linked case is B); D infects E (linked); F has no link. Later G infects six
// people (a super-spreader at the default threshold of 5), and X and Y name each other (a cycle).
const XINGQING = "640104";
const CHONGAN = "640104001002";
const XINGLONG = "640104001003";
const HOUR = 3_600_000;

interface Node {
  caseId: string;
  name: string;
  generation: number | null;
  index: boolean;
  superspreader: boolean;
  inCycle: boolean;
  secondaryCases: number;
}

for (const engine of testEngines()) {
  describe(`transmission chains over the database's cases (${engine})`, () => {
    let t: TestApp;
    let clock = new Date("2022-04-10T10:00:00+08:00");
    let admin: string;
    let investigator: string;
    let grid: string;
    let otherDistrict: string;
    let seq = 900;
    const ids: Record<string, string> = {};
    const people: Record<string, string> = {};

    const login = async () => {
      admin = await t.userSession("administrator", "000000");
      investigator = await t.userSession("investigator", XINGQING);
      grid = await t.userSession("grid_worker", XINGQING);
      otherDistrict = await t.userSession("investigator", "640105");
    };
    const person = async (key: string, name: string, community = CHONGAN) => {
      const r = await t.call(admin, "POST", "/api/people", personPayload(community, seq++, { name }));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      people[key] = r.json().id;
    };
    const makeCase = async (key: string, onsetDate: string, linkedTo?: string) => {
      const r = await t.call(investigator, "POST", "/api/tracing/cases", {
        personId: people[key],
        classification: "confirmed_mild",
        foundBy: "fever_clinic",
        source: linkedTo ? "linked" : "local",
        linkedCaseId: linkedTo ? ids[linkedTo] : null,
        onsetDate,
        confirmedAt: new Date(clock.getTime() - HOUR).toISOString(),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      ids[key] = r.json().id;
    };
    const expose = async (source: string, exposed: string, at: string, setting = "household") => {
      const r = await t.call(investigator, "POST", `/api/tracing/cases/${ids[source]}/exposures`, {
        exposedPersonId: people[exposed],
        at,
        durationMinutes: 60,
        setting,
        proximity: "within_1m",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
    };
    const recompute = async (who = investigator) => t.call(who, "POST", "/api/tracing/chains/recompute");
    const clusters = async (query = "", who = investigator) => {
      const r = await t.call(who, "GET", `/api/tracing/clusters${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      return r.json();
    };
    const graph = async (clusterId: string, who = investigator) => {
      const r = await t.call(who, "GET", `/api/tracing/clusters/${clusterId}/graph`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      return r.json() as {
        nodes: Node[];
        edges: Record<string, unknown>[];
        stale: boolean;
        clusterId: string;
      };
    };
    const nodeOf = (g: { nodes: Node[] }, key: string) => g.nodes.find((n) => n.caseId === ids[key])!;

    before(async () => {
      t = await testApp(engine, () => clock);
      await login();
      await person("A", "赵建国");
      await person("B", "赵秀兰");
      await person("C", "欧阳春晓", XINGLONG);
      await person("D", "钱文华");
      await person("E", "钱小雨");
      await person("F", "孙立新");
      await makeCase("A", "2022-04-01");
      // A's household member, exposed on 04-01, falls ill on 04-04 and becomes a case.
      await expose("A", "B", "2022-04-01T19:00:00+08:00");
      await makeCase("B", "2022-04-04");
      await makeCase("C", "2022-04-08", "B");
      await makeCase("D", "2022-04-02");
      await makeCase("E", "2022-04-03", "D");
      await makeCase("F", "2022-04-05");
    });
    after(() => t.close());

    test("A → B → C, D → E and F on its own: two clusters of 3 and 2 cases, with generations 0, 1, 2", async () => {
      const before = await clusters();
      assert.equal(before.computedAt, null, "never recomputed");
      assert.equal(before.stale, true);
      assert.equal(before.total, 0);

      clock = new Date(clock.getTime() + HOUR);
      const r = await recompute();
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual(
        { ...r.json(), durationMs: 0 },
        {
          cases: 6,
          links: 3,
          clusters: 2,
          isolatedCases: 1,
          computedAt: clock.toISOString(),
          durationMs: 0,
        },
      );

      const list = await clusters();
      assert.equal(list.stale, false);
      assert.equal(list.computedAt, clock.toISOString());
      assert.equal(list.total, 2);
      assert.deepEqual(
        list.items.map((k: { size: number }) => k.size),
        [3, 2],
      );
      const [abc, de] = list.items;
      assert.equal(abc.generations, 2);
      assert.deepEqual(abc.indexCases, [{ caseId: ids.A, personName: "赵建国" }]);
      assert.deepEqual(abc.regions, [CHONGAN, XINGLONG]);
      assert.equal(abc.firstOnset, "2022-04-01");
      assert.equal(abc.lastOnset, "2022-04-08");
      assert.equal(abc.superspreaders, 0);
      assert.deepEqual(de.indexCases, [{ caseId: ids.D, personName: "钱文华" }]);
      assert.equal((await clusters("?minSize=3")).total, 1);
      assert.equal((await clusters("?minSize=1")).total, 2, "a case on its own is no cluster");
      const f = await graph(
        (
          await t.db.query<{ c: string }>(
            "SELECT cluster_id AS c FROM tracing_case_chains WHERE case_id = $1",
            [ids.F],
          )
        ).rows[0]!.c,
      );
      assert.deepEqual(
        f.nodes.map((n) => [n.caseId, n.index, n.generation]),
        [[ids.F, true, 0]],
        "F, on its own, is a chain of one",
      );

      const g = await graph(abc.clusterId);
      assert.deepEqual(
        g.nodes.map((n) => [n.name, n.generation, n.index, n.secondaryCases]),
        [
          ["赵建国", 0, true, 1],
          ["赵秀兰", 1, false, 1],
          ["欧阳春晓", 2, false, 0],
        ],
      );
      assert.deepEqual(g.edges, [
        {
          from: ids.A,
          to: ids.B,
          kind: "exposure",
          linked: false,
          setting: "household",
          at: new Date("2022-04-01T19:00:00+08:00").toISOString(),
        },
        { from: ids.B, to: ids.C, kind: "linked", linked: true, setting: null, at: null },
      ]);
    });

    test("the analysis gives the command's figures: generations, and serial intervals 3, 4 and 1 days from the onsets", async () => {
      const r = await t.call(investigator, "GET", "/api/tracing/analysis");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const a = r.json();
      assert.equal(a.cases, 6);
      assert.equal(a.pairs, 3);
      assert.equal(a.clusters.count, 2);
      assert.equal(a.clusters.isolatedCases, 1);
      assert.deepEqual(a.clusters.sizes, [
        { size: 2, clusters: 1 },
        { size: 3, clusters: 1 },
      ]);
      assert.equal(a.clusters.largest[0].size, 3);
      assert.equal(a.clusters.largest[0].clusterId, (await clusters()).items[0].clusterId);
      assert.deepEqual(a.clusters.largest[0].indexCases, [{ caseId: ids.A, personName: "赵建国" }]);
      assert.deepEqual(a.generations, {
        counts: [
          { generation: 0, cases: 3 },
          { generation: 1, cases: 2 },
          { generation: 2, cases: 1 },
        ],
        max: 2,
        inCycles: 0,
        withoutGeneration: 0,
      });
      const xs = [3, 4, 1];
      const mean = 8 / 3;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
      assert.equal(a.serialInterval.n, 3);
      assert.ok(Math.abs(a.serialInterval.mean - mean) < 1e-12);
      assert.ok(Math.abs(a.serialInterval.sd - sd) < 1e-12);
      assert.equal(a.serialInterval.negativeShare, 0);
      assert.deepEqual(a.superspreaders, []);
      assert.equal(a.superspreaderThreshold, 5);
      assert.equal(a.stale, false);
    });

    test("a case with six secondary cases is a super-spreader at the policy's default threshold of 5; new cases make the chains stale until recomputed", async () => {
      clock = new Date(clock.getTime() + HOUR);
      await person("G", "李卫东");
      await makeCase("G", "2022-04-02");
      for (let i = 1; i <= 6; i++) {
        await person(`G${i}`, `李家${"一二三四五六"[i - 1]}`);
        await makeCase(`G${i}`, `2022-04-0${3 + (i % 3)}`, "G");
      }
      assert.equal((await clusters()).stale, true, "seven new cases since the recompute");
      clock = new Date(clock.getTime() + HOUR);
      assert.equal((await recompute()).json().clusters, 3);
      const list = await clusters();
      assert.equal(list.stale, false);
      assert.deepEqual(
        list.items.map((k: { size: number; superspreaders: number }) => [k.size, k.superspreaders]),
        [
          [7, 1],
          [3, 0],
          [2, 0],
        ],
      );
      const g = await graph(list.items[0].clusterId);
      const gNode = nodeOf(g, "G");
      assert.deepEqual([gNode.secondaryCases, gNode.superspreader, gNode.index], [6, true, true]);
      assert.equal(g.nodes.filter((n) => n.generation === 1).length, 6);
      const a = (await t.call(investigator, "GET", "/api/tracing/analysis")).json();
      assert.deepEqual(a.superspreaders, [{ caseId: ids.G, personName: "李卫东", secondaryCases: 6 }]);
    });

    test("a person's name or a case id finds the cluster the case belongs to", async () => {
      const byName = await clusters(`?q=${encodeURIComponent("春晓")}`);
      assert.equal(byName.total, 1);
      assert.equal(byName.items[0].size, 3);
      assert.equal(
        (await graph(byName.items[0].clusterId)).nodes.some((n) => n.caseId === ids.C),
        true,
      );
      const byId = await clusters(`?q=${ids.E}`);
      assert.deepEqual(
        byId.items.map((k: { size: number }) => k.size),
        [2],
      );
      assert.equal((await clusters(`?q=${encodeURIComponent("无此人")}`)).total, 0);
      assert.equal((await clusters(`?q=${encodeURIComponent("孙立")}`)).total, 0, "F is in no cluster");
    });

    test("an investigator of another district sees no cluster, no case in the analysis, and cannot open a graph", async () => {
      const list = await clusters("", otherDistrict);
      assert.equal(list.total, 0);
      assert.deepEqual(list.items, []);
      const a = (await t.call(otherDistrict, "GET", "/api/tracing/analysis")).json();
      assert.equal(a.cases, 0);
      assert.deepEqual(a.superspreaders, []);
      const clusterId = (await clusters()).items[0].clusterId;
      const r = await t.call(otherDistrict, "GET", `/api/tracing/clusters/${clusterId}/graph`);
      assert.equal(r.status, 403);
      assert.equal(r.json().error.code, "outside_jurisdiction");
      assert.equal((await graph(clusterId, grid)).nodes.length, 7, "a grid worker of the district reads it");
    });

    test("two cases naming each other as infector form a cycle: reported, marked, without generation, no crash", async () => {
      clock = new Date(clock.getTime() + HOUR);
      await person("X", "周一鸣");
      await person("Y", "周二鸣");
      await makeCase("X", "2022-04-05");
      await makeCase("Y", "2022-04-06");
      await expose("X", "Y", "2022-04-05T12:00:00+08:00", "dining");
      await expose("Y", "X", "2022-04-05T12:00:00+08:00", "dining");
      clock = new Date(clock.getTime() + HOUR);
      const r = await recompute();
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().clusters, 4);
      const a = (await t.call(investigator, "GET", "/api/tracing/analysis")).json();
      const cycles = a.issues.filter((i: { code: string }) => i.code === "infector_cycle");
      assert.equal(cycles.length, 1);
      assert.match(cycles[0].message.zh, /传染源关系成环/);
      assert.equal(a.generations.inCycles, 2);
      assert.equal(a.generations.withoutGeneration, 2);
      assert.equal(a.issuesTotal, a.issues.length);
      const xy = (await clusters(`?q=${ids.X}`)).items[0];
      assert.equal(xy.size, 2);
      assert.deepEqual(xy.indexCases, []);
      const g = await graph(xy.clusterId);
      assert.deepEqual(
        g.nodes.map((n) => [n.inCycle, n.generation, n.index]),
        [
          [true, null, false],
          [true, null, false],
        ],
      );
      assert.equal(g.edges.length, 2);
    });

    test("a recompute is audited with its counts; a grid worker may not recompute", async () => {
      const audit = await t.db.query<{
        after: { cases: number; links: number; clusters: number; cycles: number };
      }>(`SELECT after FROM audit_log WHERE action = 'tracing.chains_recompute' ORDER BY at DESC`);
      assert.equal(audit.rows.length, 3);
      const last = audit.rows[0]!.after;
      assert.deepEqual([last.cases, last.links, last.clusters, last.cycles], [15, 11, 4, 1]);
      const r = await recompute(grid);
      assert.equal(r.status, 403);
      const runs = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracing_chain_runs");
      assert.equal(runs.rows[0]!.n, 3, "the refused recompute left nothing");
    });

    test("a cluster id that is not one is a 404 in Chinese and in English", async () => {
      for (const id of ["not-a-cluster", "0190c7d2-0000-7000-8000-000000000000"]) {
        const zh = await t.call(investigator, "GET", `/api/tracing/clusters/${id}/graph`);
        assert.equal(zh.status, 404);
        assert.equal(zh.json().error.code, "not_found");
        assert.equal(zh.json().error.message, "未找到传播链聚集");
        const en = await t.call(investigator, "GET", `/api/tracing/clusters/${id}/graph`, undefined, {
          "accept-language": "en",
        });
        assert.equal(en.json().error.message, "Cluster not found");
      }
    });
  });
}
