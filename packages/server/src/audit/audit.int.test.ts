import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_PASSWORD, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

for (const engine of testEngines()) {
  describe(`audit trail and account safety (${engine})`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await testApp(engine);
      admin = await t.userSession("administrator", "000000");
    });
    after(() => t.close());

    test("the application cannot update, delete or truncate the audit log", async () => {
      const n = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log")).rows[0]!.n;
      assert.ok(n > 0);
      await assert.rejects(t.db.query("UPDATE audit_log SET action = 'x'"), /append-only/);
      await assert.rejects(t.db.query("DELETE FROM audit_log"), /append-only/);
      await assert.rejects(t.db.query("TRUNCATE audit_log"), /append-only/);
      assert.equal(
        (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log")).rows[0]!.n,
        n,
      );
    });

    test("five wrong passwords lock the account; the lock is audited; an administrator unlocks it", async () => {
      await t.userSession("grid_worker", "640104", { username: "locked.one" });
      for (let i = 0; i < 5; i++) {
        const r = await t.call(null, "POST", "/api/auth/login", {
          username: "locked.one",
          password: "wrong-password-1",
        });
        assert.equal(r.status, 401);
      }
      const locked = await t.call(null, "POST", "/api/auth/login", {
        username: "locked.one",
        password: TEST_PASSWORD,
      });
      assert.equal(locked.status, 423);
      assert.equal(locked.json().error.code, "account_locked");
      const audit = await t.call(admin, "GET", "/api/audit?action=auth.locked");
      assert.equal(audit.json().total, 1);
      const users = await t.call(admin, "GET", "/api/users?pageSize=100");
      const u = users.json().items.find((x: { username: string }) => x.username === "locked.one");
      assert.equal(u.locked, true);
      assert.equal((await t.call(admin, "PATCH", `/api/users/${u.id}`, { unlock: true })).status, 200);
      assert.equal(
        (await t.call(null, "POST", "/api/auth/login", { username: "locked.one", password: TEST_PASSWORD }))
          .status,
        200,
      );
    });

    test("a password change needs the current password, refuses weak ones, and ends other sessions", async () => {
      const s1 = await t.userSession("investigator", "640100", { username: "pw.changer" });
      const s2 = (await t.call(null, "POST", "/api/auth/login", {
        username: "pw.changer",
        password: TEST_PASSWORD,
      })) as unknown as {
        headers: Record<string, string>;
      };
      const cookie2 = String(s2.headers["set-cookie"]).split(";")[0]!;
      const wrong = await t.call(s1, "POST", "/api/auth/password", {
        currentPassword: "nope",
        newPassword: "a-better-pass-2027",
      });
      assert.equal(wrong.status, 422);
      const weak = await t.call(s1, "POST", "/api/auth/password", {
        currentPassword: TEST_PASSWORD,
        newPassword: "short",
      });
      assert.equal(weak.json().error.fields[0].field, "newPassword");
      const ok = await t.call(s1, "POST", "/api/auth/password", {
        currentPassword: TEST_PASSWORD,
        newPassword: "a-better-pass-2027",
      });
      assert.equal(ok.status, 204);
      assert.equal((await t.call(s1, "GET", "/api/auth/me")).status, 200, "this session goes on");
      assert.equal((await t.call(cookie2, "GET", "/api/auth/me")).status, 401, "the other session ended");
    });

    test("user management: create, refuse a duplicate name, change a role; each write audited", async () => {
      const body = {
        username: "new.grid",
        displayName: "新网格员",
        role: "grid_worker",
        jurisdictionCode: "640104001",
        password: "grid-pass-2026x",
      };
      const r = await t.call(admin, "POST", "/api/users", body);
      assert.equal(r.status, 201);
      assert.equal((await t.call(admin, "POST", "/api/users", body)).status, 409);
      const p = await t.call(admin, "PATCH", `/api/users/${r.json().id}`, { role: "investigator" });
      assert.equal(p.json().role, "investigator");
      const a = await t.call(admin, "GET", `/api/audit?entityType=user&entityId=${r.json().id}`);
      assert.deepEqual(
        a
          .json()
          .items.map((e: { action: string }) => e.action)
          .sort(),
        ["user.create", "user.update"],
      );
      assert.equal(JSON.stringify(a.json()).includes("scrypt$"), false, "no password hash in the audit");
    });

    test("an administrator of a province cannot create users outside it", async () => {
      const prov = await t.userSession("administrator", "640000");
      const r = await t.call(prov, "POST", "/api/users", {
        username: "outsider",
        displayName: "外省",
        role: "lab",
        jurisdictionCode: "530302",
        password: "grid-pass-2026x",
      });
      assert.equal(r.status, 403);
      assert.equal(r.json().error.code, "outside_jurisdiction");
    });
  });
}
