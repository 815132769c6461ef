import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { makeResidentId, parseResidentId, residentIdCheckChar } from "./resident-id.ts";

const TODAY = "2026-11-22";

describe("resident ID numbers (GB 11643-1999)", () => {
  test("the standard's own example 11010519491231002X is valid: female, born 1949-12-31", () => {
    const r = parseResidentId("11010519491231002x", TODAY);
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      idNumber: "11010519491231002X",
      addressCode: "110105",
      birthDate: "1949-12-31",
      sex: "female",
    });
  });

  test("a Ningxia number with a wrong check character is rejected and the right one is named", () => {
    const good = makeResidentId("640104", "1985-06-15", 123);
    const wrong = good.slice(0, 17) + (good[17] === "1" ? "2" : "1");
    const r = parseResidentId(wrong, TODAY);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.errors[0]!.code, "id_number.check_digit");
      assert.match(r.errors[0]!.message.en, new RegExp(`should be ${good[17]}`));
    }
  });

  test("impossible and future birth dates are rejected", () => {
    const feb30 = `64010419850230123`;
    assert.equal(parseResidentId(feb30 + residentIdCheckChar(feb30), TODAY).ok, false);
    const future = makeResidentId("640104", "2030-01-01", 1);
    const r = parseResidentId(future, TODAY);
    assert.ok(!r.ok && r.errors[0]!.code === "id_number.birth_date_future");
  });

  test("wrong length, letters and unknown provinces are format errors", () => {
    assert.ok(!parseResidentId("6401041985", TODAY).ok);
    assert.ok(!parseResidentId("64010419850615A23X", TODAY).ok);
    const r = parseResidentId(makeResidentId("990104", "1985-06-15", 1), TODAY);
    assert.ok(!r.ok && r.errors[0]!.code === "id_number.region");
  });

  test("property: every generated number validates, derives its birth date and sex, and any single-digit change is caught", () => {
    const date = fc
      .date({
        min: new Date("1900-01-01T00:00:00Z"),
        max: new Date("2026-11-21T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        date,
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (birth, seq, pos, delta) => {
          const id = makeResidentId("640104", birth, seq);
          const r = parseResidentId(id, TODAY);
          assert.ok(r.ok);
          assert.equal(r.value.birthDate, birth);
          assert.equal(r.value.sex, seq % 2 === 1 ? "male" : "female");
          // MOD 11-2 detects every single-digit substitution.
          const changed = id.slice(0, pos) + String((Number(id[pos]) + delta) % 10) + id.slice(pos + 1);
          const r2 = parseResidentId(changed, TODAY);
          assert.ok(!r2.ok || r2.value.idNumber !== id);
          if (r2.ok) assert.fail(`altered number ${changed} passed`);
        },
      ),
      { numRuns: 500 },
    );
  });
});
