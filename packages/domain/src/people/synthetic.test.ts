import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { validatePerson } from "./person.ts";
import { syntheticPopulation } from "./synthetic.ts";

const communities = [
  { code: "530302001001", countyCode: "530302" },
  { code: "640104001001", countyCode: "640104" },
];

describe("synthetic demo population", () => {
  test("the same seed gives the same people; another seed gives others", () => {
    const a = [...syntheticPopulation(communities, 50, 7, 2026)].flatMap((h) => h.members);
    const b = [...syntheticPopulation(communities, 50, 7, 2026)].flatMap((h) => h.members);
    const c = [...syntheticPopulation(communities, 50, 8, 2026)].flatMap((h) => h.members);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(a.length, 50);
  });

  test("every generated person passes the registry's own validation, with unique ID numbers", () => {
    const people = [...syntheticPopulation(communities, 3000, 1, 2026)].flatMap((h) => h.members);
    assert.equal(new Set(people.map((p) => p.documentNumber)).size, people.length);
    for (const p of people) {
      const r = validatePerson({ ...p, documentType: "resident_id" }, "2026-11-22");
      assert.ok(r.ok, `${p.name} ${p.documentNumber}: ${JSON.stringify(!r.ok && r.errors)}`);
    }
  });
});
