import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ROLES, type Role } from "@cordon/domain/accounts/roles";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// Every role works in Xingqing district (640104). One person lives inside it, one in Qilin (530302).
const INSIDE_COMMUNITY = "640104001002";
const OUTSIDE_COMMUNITY = "530302001001";

type Op = "list" | "read_pii" | "create" | "update" | "region" | "responsible" | "users" | "audit" | "areas";

/** What each role may do, written out as the access policy says it (docs/capabilities/accounts.md). */
const ALLOWED: Record<Role, Op[]> = {
  administrator: ["list", "read_pii", "create", "update", "region", "responsible", "users", "audit", "areas"],
  command: ["list", "read_pii", "create", "update", "region", "responsible", "audit", "areas"],
  investigator: ["list", "read_pii", "create", "update", "region"],
  grid_worker: ["list", "read_pii", "create", "update", "region"],
  quarantine_staff: ["list", "read_pii", "region"],
  lab: ["list", "region"],
  venue: ["region"],
  school: ["list", "region"],
  cold_chain: ["region"],
  citizen: [],
};

for (const engine of testEngines()) {
  describe(`access matrix: role × inside/outside the jurisdiction (${engine})`, () => {
    let t: TestApp;
    const people: Record<"inside" | "outside", { id: string; version: number; community: string }> =
      {} as never;
    const sessions = new Map<Role, string>();
    let seq = 100;

    before(async () => {
      t = await testApp(engine);
      const admin = await t.userSession("administrator", "000000");
      for (const [where, community] of [
        ["inside", INSIDE_COMMUNITY],
        ["outside", OUTSIDE_COMMUNITY],
      ] as const) {
        const r = await t.call(admin, "POST", "/api/people", personPayload(community, seq++));
        assert.equal(r.status, 201, JSON.stringify(r.json()));
        people[where] = { id: r.json().id, version: 1, community };
      }
      for (const role of ROLES) sessions.set(role, await t.userSession(role, "640104"));
    });
    after(() => t.close());

    async function attempt(
      role: Role,
      op: Op,
      where: "inside" | "outside",
    ): Promise<{ status: number; code?: string }> {
      const c = sessions.get(role)!;
      const p = people[where];
      const region = where === "inside" ? "640104001" : "530302001";
      let r: Awaited<ReturnType<TestApp["call"]>>;
      switch (op) {
        case "list":
          r = await t.call(c, "GET", `/api/people?regionCode=${region}`);
          break;
        case "read_pii":
          r = await t.call(c, "GET", `/api/people/${p.id}`);
          break;
        case "create":
          r = await t.call(c, "POST", "/api/people", personPayload(p.community, seq++));
          break;
        case "update": {
          const cur = await t.db.query<{ version: number }>("SELECT version FROM persons WHERE id = $1", [
            p.id,
          ]);
          r = await t.call(c, "PUT", `/api/people/${p.id}`, {
            ...personPayload(p.community, 0),
            documentNumber: (
              await t.db.query<{ d: string }>("SELECT document_number AS d FROM persons WHERE id = $1", [
                p.id,
              ])
            ).rows[0]!.d,
            phone: `139${String(seq++).padStart(8, "0")}`,
            version: cur.rows[0]!.version,
          });
          break;
        }
        case "region":
          r = await t.call(c, "GET", `/api/regions/${region}`);
          break;
        case "responsible":
          r = await t.call(c, "POST", `/api/regions/${region}/responsibles`, {
            name: "李明",
            title: "包村干部",
            phone: "13900000001",
          });
          break;
        case "users":
          r = await t.call(c, "GET", "/api/users");
          break;
        case "audit":
          r = await t.call(c, "GET", "/api/audit");
          break;
        case "areas":
          r = await t.call(c, "POST", "/api/areas", {
            regionCode: region,
            kind: "controlled",
            from: "2021-10-20T08:00:00+08:00",
            reason: "密接居住地",
          });
          break;
      }
      return { status: r.status, code: r.json()?.error?.code };
    }

    for (const role of ROLES) {
      test(`${role}`, async () => {
        for (const op of [
          "list",
          "read_pii",
          "create",
          "update",
          "region",
          "responsible",
          "users",
          "audit",
          "areas",
        ] as Op[]) {
          const allowed = ALLOWED[role].includes(op);
          const inside = await attempt(role, op, "inside");
          if (allowed)
            assert.ok(
              inside.status < 300,
              `${role} ${op} inside: expected success, got ${inside.status} ${inside.code}`,
            );
          else assert.deepEqual(inside, { status: 403, code: "forbidden" }, `${role} ${op} inside`);
          if (op === "users" || op === "audit") continue; // not tied to one record
          const outside = await attempt(role, op, "outside");
          assert.equal(outside.status, 403, `${role} ${op} outside: expected 403, got ${outside.status}`);
          assert.equal(outside.code, allowed ? "outside_jurisdiction" : "forbidden", `${role} ${op} outside`);
        }
      });
    }

    test("a citizen reads their own record and nobody else's", async () => {
      const own = await t.userSession("citizen", "640104", { personId: people.inside.id });
      assert.equal((await t.call(own, "GET", `/api/people/${people.inside.id}`)).status, 200);
      assert.equal((await t.call(own, "GET", `/api/people/${people.outside.id}`)).status, 403);
    });

    test("without a session every registry endpoint answers 401", async () => {
      for (const url of [
        "/api/people",
        `/api/people/${people.inside.id}`,
        "/api/regions/640104",
        "/api/users",
        "/api/audit",
        "/api/areas",
        "/api/auth/me",
      ]) {
        const r = await t.call(null, "GET", url);
        assert.equal(r.status, 401, url);
        assert.equal(r.json().error.code, "unauthenticated");
      }
    });
  });
}
