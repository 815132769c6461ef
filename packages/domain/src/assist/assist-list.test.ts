import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeResidentId } from "../people/resident-id.ts";
import {
  type AssistColumns,
  isAccountedFor,
  isRowOverdue,
  mapAssistHeaders,
  residenceCommunity,
  validateAssistRow,
  validateMatchDecision,
  validateOutcome,
} from "./assist-list.ts";

const ID = makeResidentId("530302", "1990-03-08", 21);
const TODAY = "2020-12-25";

function columns(header: string[]): AssistColumns {
  const r = mapAssistHeaders(header);
  assert.ok(r.ok);
  return r.value;
}

describe("assist list columns", () => {
  test("zh or en headers in any order; unknown columns are kept as extra", () => {
    const c = columns(["手机号", "推送批次", "身份证号", "姓名（必填）", "reason", "线索区划"]);
    assert.deepEqual(c.fields, { phone: 0, idNumber: 2, name: 3, reason: 4, regionCode: 5 });
    assert.deepEqual(c.extra, [{ header: "推送批次", index: 1 }]);
    assert.deepEqual(columns(["name", "idNumber", "phone"]).fields, { name: 0, idNumber: 1, phone: 2 });
  });

  test("a header without a name column is refused: the first row is data, not a header", () => {
    const r = mapAssistHeaders(["马晓燕", ID, "13809511234"]);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.errors[0]!.code, "assist.no_name_column");
  });
});

describe("assist list rows", () => {
  const c = columns(["姓名", "证件号码", "电话", "协查原因", "现住址", "线索区划", "批次"]);

  test("a row with a name and a valid ID number, a lower-case x and spaces as clerks type them", () => {
    const id = Array.from({ length: 100 }, (_, s) => makeResidentId("530302", "1990-03-08", s + 1)).find(
      (i) => i.endsWith("X"),
    )!;
    const typed = `${id.slice(0, 6)} ${id.slice(6, 17)}x`;
    const r = validateAssistRow(["马晓燕", typed, "", "密接", "潇湘街1号", "", "A-01"], c, TODAY);
    assert.ok(r.ok);
    assert.equal(r.value.documentNumber, id);
    assert.deepEqual(r.value.extra, { 批次: "A-01" });
    assert.equal(r.value.phone, null);
  });

  test("a row needs a name and an ID number or a phone", () => {
    const r = validateAssistRow(["", "", "", "", "", "", ""], c, TODAY);
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors.map((e) => e.code), [
      "assist.name_required",
      "assist.id_or_phone_required",
    ]);
  });

  test("a wrong GB 11643 check digit, a malformed phone and a malformed region code each make the row bad", () => {
    const bad = ID.slice(0, 17) + (ID[17] === "0" ? "1" : "0");
    const r = validateAssistRow(["马晓燕", bad, "1380951", "", "", "53030", ""], c, TODAY);
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors.map((e) => [e.field, e.code]), [
      ["idNumber", "id_number.check_digit"],
      ["phone", "phone.format"],
      ["regionCode", "region.code"],
    ]);
  });

  test("a passport number is kept as a document number; a +86 phone is normalized", () => {
    const r = validateAssistRow(["John Smith", "E12345678", "+86 139-1234-0002", "", "", "", ""], c, TODAY);
    assert.ok(r.ok);
    assert.equal(r.value.documentNumber, "E12345678");
    assert.equal(r.value.phone, "13912340002");
  });
});

describe("assist row states", () => {
  const received = new Date("2020-12-25T07:00:00Z");
  const now = new Date("2020-12-25T10:00:00Z");
  const at = new Date("2020-12-25T09:00:00Z");

  test("a merged row is accounted for only when the row it points to is final", () => {
    assert.equal(isAccountedFor("merged", "dispatched"), false);
    assert.equal(isAccountedFor("merged", "controlled"), true);
    assert.equal(isAccountedFor("forwarded", null), true);
    assert.equal(isAccountedFor("unmatched", null), false);
  });

  test("overdue: not accounted for and past the deadline", () => {
    const deadline = new Date("2020-12-25T16:00:00Z");
    assert.equal(isRowOverdue("dispatched", null, deadline, new Date("2020-12-25T15:59:59Z")), false);
    assert.equal(isRowOverdue("dispatched", null, deadline, new Date("2020-12-25T16:00:01Z")), true);
    assert.equal(isRowOverdue("controlled", null, deadline, new Date("2020-12-26T00:00:00Z")), false);
    assert.equal(isRowOverdue("merged", "dispatched", deadline, new Date("2020-12-26T00:00:00Z")), true);
  });

  test("not found needs a reason; controlled needs a matched person; forwarding must leave the jurisdiction", () => {
    const open = { state: "unmatched" as const, personId: null, receivedAt: received };
    const code = (r: ReturnType<typeof validateOutcome>) => (r.ok ? null : r.errors.map((e) => e.code));
    assert.deepEqual(code(validateOutcome(open, { outcome: "not_found", at, reason: " " }, now, null)), [
      "assist.reason_required",
    ]);
    assert.deepEqual(code(validateOutcome(open, { outcome: "controlled", at }, now, null)), [
      "assist.controlled_needs_person",
    ]);
    assert.deepEqual(
      code(validateOutcome(open, { outcome: "forwarded", at, forwardedTo: "530302001" }, now, false)),
      ["assist.forward_inside"],
    );
    assert.deepEqual(
      code(validateOutcome(open, { outcome: "forwarded", at, forwardedTo: "999999" }, now, null)),
      ["region.unknown"],
    );
    const ok = validateOutcome(open, { outcome: "forwarded", at, forwardedTo: "640324" }, now, true);
    assert.deepEqual(ok, { ok: true, value: { reason: null, forwardedTo: "640324" } });
  });

  test("merged and final rows cannot be closed again, nor at a time before receipt or in the future", () => {
    const code = (r: ReturnType<typeof validateOutcome>) => (r.ok ? null : r.errors[0]!.code);
    const row = (state: "merged" | "controlled" | "dispatched") => ({
      state,
      personId: "p",
      receivedAt: received,
    });
    assert.equal(
      code(validateOutcome(row("merged"), { outcome: "controlled", at }, now, null)),
      "assist.row_merged",
    );
    assert.equal(
      code(validateOutcome(row("controlled"), { outcome: "controlled", at }, now, null)),
      "assist.row_final",
    );
    const early = new Date("2020-12-25T06:00:00Z");
    assert.equal(
      code(validateOutcome(row("dispatched"), { outcome: "controlled", at: early }, now, null)),
      "assist.at_before_received",
    );
    const late = new Date("2020-12-25T11:00:00Z");
    assert.equal(
      code(validateOutcome(row("dispatched"), { outcome: "controlled", at: late }, now, null)),
      "assist.at_future",
    );
  });

  test("an ambiguous row is decided for one of its candidates or none", () => {
    assert.ok(validateMatchDecision("ambiguous", ["a", "b"], "a").ok);
    assert.ok(validateMatchDecision("ambiguous", ["a", "b"], null).ok);
    const r = validateMatchDecision("ambiguous", ["a", "b"], "c");
    assert.equal(!r.ok && r.errors[0]!.code, "assist.not_a_candidate");
    const d = validateMatchDecision("dispatched", [], "a");
    assert.equal(!d.ok && d.errors[0]!.code, "assist.not_ambiguous");
  });

  test("a grid residence belongs to its community", () => {
    assert.equal(residenceCommunity("530302001001003"), "530302001001");
    assert.equal(residenceCommunity("530302001001"), "530302001001");
  });
});
