import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { afterFailure, DEFAULT_LOCKOUT, isLocked, passwordProblems } from "./lockout.ts";
import { type Actor, decideAccess, ROLES } from "./roles.ts";

const gridWorker: Actor = { userId: "u1", role: "grid_worker", jurisdiction: "530302001", personId: null };

describe("access: role and jurisdiction", () => {
  test("a Qilin township grid worker edits people of their township only", () => {
    assert.deepEqual(decideAccess(gridWorker, "people.write", ["530302001002"]), { allowed: true });
    assert.deepEqual(decideAccess(gridWorker, "people.write", ["530302002001"]), {
      allowed: false,
      reason: "jurisdiction",
    });
    assert.deepEqual(decideAccess(gridWorker, "users.manage", ["530302001"]), {
      allowed: false,
      reason: "permission",
    });
  });

  test("a record that moves out of the jurisdiction needs both regions inside it", () => {
    assert.equal(decideAccess(gridWorker, "people.write", ["530302001002", "640104001001"]).allowed, false);
  });

  test("citizens hold no registry permission at all", () => {
    const citizen: Actor = { ...gridWorker, role: "citizen" };
    assert.equal(decideAccess(citizen, "people.read", ["530302001002"]).allowed, false);
  });

  test("investigators and the command investigate cases; grid workers only read them", () => {
    const can = (role: Actor["role"], p: "tracing.investigate" | "tracing.view") =>
      decideAccess({ ...gridWorker, role }, p, ["530302001002"]).allowed;
    assert.deepEqual(
      ROLES.filter((r) => can(r, "tracing.investigate")),
      ["administrator", "command", "investigator"],
    );
    assert.deepEqual(
      ROLES.filter((r) => can(r, "tracing.view")),
      ["administrator", "command", "investigator", "grid_worker"],
    );
  });

  test("only administrators manage users", () => {
    for (const role of ROLES) {
      const d = decideAccess({ ...gridWorker, role, jurisdiction: "000000" }, "users.manage", []);
      assert.equal(d.allowed, role === "administrator", role);
    }
  });
});

describe("login lockout", () => {
  test("the fifth failure locks for 15 minutes; the lock then expires", () => {
    const t0 = new Date("2026-11-22T08:00:00Z");
    let s = { failedAttempts: 0, lockedUntil: null as Date | null };
    for (let i = 0; i < 4; i++) s = afterFailure(s, t0);
    assert.equal(isLocked(s, t0), false);
    s = afterFailure(s, t0);
    assert.equal(isLocked(s, t0), true);
    assert.equal(isLocked(s, new Date(t0.getTime() + DEFAULT_LOCKOUT.lockMinutes * 60_000 + 1)), false);
  });

  test("weak passwords are refused with a reason", () => {
    assert.ok(passwordProblems("short1"));
    assert.ok(passwordProblems("onlyletterslong"));
    assert.equal(passwordProblems("cordon-demo-2026"), null);
  });
});
