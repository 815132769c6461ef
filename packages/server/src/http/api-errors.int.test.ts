import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type TestApp, testApp } from "../testing/test-app.ts";
import { buildApp } from "./app.ts";
import { testEngines } from "../testing/test-db.ts";

for (const engine of testEngines()) {
  describe(`bad requests get a 4xx with the reason, never a 500 (${engine})`, () => {
    let t: TestApp;
    let c: string;
    before(async () => {
      t = await testApp(engine);
      c = await t.userSession("grid_worker", "640104");
    });
    after(() => t.close());

    const shape = (body: { error?: { code?: unknown; message?: unknown } }) => {
      assert.equal(typeof body.error?.code, "string");
      assert.equal(typeof body.error?.message, "string");
    };

    test("malformed JSON", async () => {
      const r = await t.call(c, "POST", "/api/people", '{"name": ');
      assert.equal(r.status, 400);
      assert.equal(r.json().error.code, "malformed_json");
    });

    test("wrong types and unknown fields name the field", async () => {
      const r = await t.call(c, "POST", "/api/households", {
        regionCode: 640104001002,
        address: "x",
        colour: "red",
      });
      assert.equal(r.status, 400);
      const fields = r.json().error.fields.map((f: { field: string }) => f.field);
      assert.ok(fields.includes("regionCode"), JSON.stringify(fields));
      assert.ok(fields.includes("colour"), JSON.stringify(fields));
    });

    test("an oversized body is refused with 413", async () => {
      const r = await t.call(c, "POST", "/api/households", {
        regionCode: "640104001002",
        address: "x".repeat(1_100_000),
      });
      assert.equal(r.status, 413);
      shape(r.json());
    });

    test("a bad query parameter and an unknown route", async () => {
      const q = await t.call(c, "GET", "/api/people?pageSize=1000");
      assert.equal(q.status, 400);
      shape(q.json());
      const nf = await t.call(c, "GET", "/api/nothing-here");
      assert.equal(nf.status, 404);
      shape(nf.json());
      const bad = await t.call(c, "GET", "/api/people/not-a-uuid");
      assert.equal(bad.status, 400);
    });

    test("with the web UI built, pages fall back to index.html but a missing asset is a 404", async () => {
      const dist = mkdtempSync(join(tmpdir(), "cordon-dist-"));
      writeFileSync(join(dist, "index.html"), "<!doctype html><title>Cordon</title>");
      mkdirSync(join(dist, "assets"));
      writeFileSync(join(dist, "assets", "app.js"), "console.log(1)");
      const web = await buildApp({ db: t.db, webDist: dist });
      try {
        const page = await web.inject({ method: "GET", url: "/people/some-id" });
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /<title>Cordon/);
        assert.equal((await web.inject({ method: "GET", url: "/assets/app.js" })).statusCode, 200);
        assert.equal((await web.inject({ method: "GET", url: "/assets/gone.js" })).statusCode, 404);
      } finally {
        await web.close();
      }
    });

    test("writes without the client header are refused as possible CSRF", async () => {
      const r = await t.app.inject({
        method: "POST",
        url: "/api/households",
        headers: { cookie: c, "content-type": "application/json" },
        payload: JSON.stringify({ regionCode: "640104001002", address: "胜利街1号" }),
      });
      assert.equal(r.statusCode, 403);
      assert.equal(JSON.parse(r.body).error.code, "csrf");
    });

    test("the OpenAPI document lists the API and the docs page is served", async () => {
      const doc = await t.call(null, "GET", "/openapi.json");
      assert.equal(doc.status, 200);
      for (const p of [
        "/api/people",
        "/api/people/{id}",
        "/api/auth/login",
        "/api/audit",
        "/api/regions/{code}",
      ]) {
        assert.ok(doc.json().paths[p], p);
      }
      const text = JSON.stringify(doc.json());
      for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
        assert.ok(doc.json().components.schemas[name!], `$ref to missing schema ${name}`);
      }
      const ui = await t.call(null, "GET", "/docs/");
      assert.equal(ui.status, 200);
    });
  });
}
