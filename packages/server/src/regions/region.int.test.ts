import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

for (const engine of testEngines()) {
  describe(`regions, grids and responsibility (${engine})`, () => {
    let t: TestApp;
    let command: string;
    let grid: string;
    before(async () => {
      t = await testApp(engine);
      command = await t.userSession("command", "640000");
      grid = await t.userSession("grid_worker", "640104");
      // Two people in one community of 凤凰北街街道, one in another township of 兴庆区.
      for (const [community, seq] of [
        ["640104001002", 1],
        ["640104001002", 2],
        ["640104002001", 3],
      ] as const) {
        const r = await t.call(grid, "POST", "/api/people", personPayload(community, seq));
        assert.equal(r.status, 201, JSON.stringify(r.json()));
      }
    });
    after(() => t.close());

    test("Xingqing district: its path, census population, and registered people per township", async () => {
      const r = await t.call(grid, "GET", "/api/regions/640104");
      assert.equal(r.status, 200);
      const o = r.json();
      assert.deepEqual(
        o.path.map((p: { code: string }) => p.code),
        ["000000", "640000", "640100", "640104"],
      );
      assert.equal(o.region.name, "兴庆区");
      assert.equal(o.region.populationSource, "census2020");
      assert.ok(o.region.population > 500_000);
      assert.equal(o.personCount, 3);
      const byCode = new Map(
        o.children.map((c: { code: string; personCount: number }) => [c.code, c.personCount]),
      );
      assert.equal(byCode.get("640104001"), 2);
      assert.equal(byCode.get("640104002"), 1);
      assert.equal(
        o.children.reduce((n: number, c: { personCount: number }) => n + c.personCount, 0),
        3,
      );
    });

    test("at province level people are not counted per child (null, not 0)", async () => {
      const r = await t.call(command, "GET", "/api/regions/640000");
      assert.ok(r.json().children.every((c: { personCount: number | null }) => c.personCount === null));
    });

    test("the command names who answers for a township (乡包村) and draws a grid; both are audited", async () => {
      const add = await t.call(command, "POST", "/api/regions/640104001/responsibles", {
        name: "王建国",
        title: "包村干部",
        phone: "139 5100 0001",
      });
      assert.equal(add.status, 201);
      assert.equal(add.json().phone, "13951000001");
      const bad = await t.call(command, "POST", "/api/regions/640104001/responsibles", {
        name: "李",
        title: "x",
        phone: "123",
      });
      assert.equal(bad.status, 422);
      const g = await t.call(command, "POST", "/api/regions/640104001002/grids", { name: "第一网格" });
      assert.equal(g.status, 201);
      assert.equal(g.json().code, "640104001002001");
      const g2 = await t.call(command, "POST", "/api/regions/640104001002/grids", { name: "第二网格" });
      assert.equal(g2.json().code, "640104001002002");
      const notCommunity = await t.call(command, "POST", "/api/regions/640104001/grids", { name: "x" });
      assert.equal(notCommunity.status, 422);
      const o = (await t.call(command, "GET", "/api/regions/640104001")).json();
      assert.deepEqual(
        o.responsibles.map((r: { name: string }) => r.name),
        ["王建国"],
      );
      const audit = await t.call(command, "GET", "/api/audit?entityType=region");
      assert.deepEqual(
        audit
          .json()
          .items.map((e: { action: string }) => e.action)
          .sort(),
        ["region.grid_create", "region.grid_create", "region.responsible_add"],
      );
      const del = await t.call(command, "DELETE", `/api/responsibles/${add.json().id}`);
      assert.equal(del.status, 204);
    });

    test("a grid worker may look regions up across the country but not draw grids", async () => {
      const found = await t.call(grid, "GET", `/api/regions?q=${encodeURIComponent("麒麟")}`);
      assert.ok(found.json().items.some((r: { code: string }) => r.code === "530302"));
      const g = await t.call(grid, "POST", "/api/regions/640104001002/grids", { name: "第三网格" });
      assert.equal(g.status, 403);
    });
  });
}
