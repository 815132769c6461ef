import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPacks, type PackLoadError, parsePack } from "./pack-loader.ts";

/** A small valid pack; each case below breaks one thing in it. */
const GOOD = `id: test-pack
title: {zh: 测试, en: Test}
issuer: {zh: 测试指挥部, en: Test command}
jurisdiction: "640000"
effectiveFrom: "2021-12-07"
effectiveTo: "2022-04-06"
source:
  title: 测试通知
  date: "2021-12-07"
rules:
  - id: inbound
    category: inbound_overseas
    measures:
      centralizedQuarantine: {days: 7}
    source: {quote: 七天集中隔离, en: seven days centralized}
`;

function errorsOf(text: string, file = "bad.yaml"): PackLoadError[] {
  const r = parsePack({ file, text });
  assert.ok(!r.ok, "the pack should be rejected");
  for (const e of r.errors) assert.ok(e.message.zh && e.message.en, "messages are bilingual");
  return r.errors;
}

describe("loading a policy pack", () => {
  test("a well-formed pack loads, with its validity in epoch milliseconds (Beijing midnight)", () => {
    const r = parsePack({ file: "good.yaml", text: GOOD });
    assert.ok(r.ok);
    assert.equal(r.pack.from, Date.parse("2021-12-07T00:00:00+08:00"));
    assert.equal(r.pack.to, Date.parse("2022-04-06T00:00:00+08:00"));
  });

  test("an unknown field is rejected at the line of the field, in the file that has it", () => {
    const text = GOOD.replace(
      "      centralizedQuarantine: {days: 7}",
      "      centralizedQuarantine: {days: 7}\n      curfew: {days: 3}",
    );
    const [e, ...rest] = errorsOf(text, "ningxia.yaml");
    assert.equal(rest.length, 0);
    assert.equal(e?.file, "ningxia.yaml");
    assert.equal(e?.code, "pack.unknown_field");
    assert.equal(e?.line, 15);
    assert.match(e?.message.en ?? "", /curfew/);
  });

  test("a misspelt top-level field is an unknown field too", () => {
    const e = errorsOf(GOOD.replace("effectiveTo:", "effectiveUntil:"));
    assert.deepEqual(
      e.map((x) => [x.code, x.line]),
      [["pack.unknown_field", 6]],
    );
  });

  test("a wrong type (days as text) is rejected at its line", () => {
    const e = errorsOf(GOOD.replace("{days: 7}", '{days: "seven"}'));
    assert.equal(e[0]?.code, "pack.wrong_type");
    assert.equal(e[0]?.line, 14);
    assert.equal(e[0]?.path, "rules.0.measures.centralizedQuarantine.days");
  });

  test("an unknown category is an invalid value", () => {
    const e = errorsOf(GOOD.replace("category: inbound_overseas", "category: tourist"));
    assert.equal(e[0]?.code, "pack.invalid_value");
    assert.equal(e[0]?.line, 12);
  });

  test("a YAML syntax error names its line", () => {
    const e = errorsOf(GOOD.replace("rules:\n", "rules:\n  - id: [unclosed\n"));
    assert.equal(e[0]?.code, "pack.yaml_syntax");
    assert.ok((e[0]?.line ?? 0) >= 11);
  });

  test("a rule looking back 0 days can never match", () => {
    const text = GOOD.replace(
      "category: inbound_overseas",
      "category: from_high_risk_area\n    lookbackDays: 0",
    );
    const e = errorsOf(text);
    assert.deepEqual(
      e.map((x) => [x.code, x.line]),
      [["rule.never_matches", 13]],
    );
  });

  test("a travel rule without a look-back window is rejected", () => {
    const e = errorsOf(GOOD.replace("category: inbound_overseas", "category: from_medium_risk_area"));
    assert.deepEqual(
      e.map((x) => [x.code, x.line]),
      [["rule.lookback_missing", 12]],
    );
  });

  test("contradicting conditions: exposureSince on a category with no dated facts", () => {
    const text = GOOD.replace(
      "    measures:",
      '    conditions: {exposureSince: "2021-08-27"}\n    measures:',
    );
    const e = errorsOf(text);
    assert.deepEqual(
      e.map((x) => [x.code, x.line]),
      [["rule.contradiction", 13]],
    );
  });

  test("exposureSince on or after the pack's end can never be met by an arrival while it is in force", () => {
    const text = GOOD.replace("category: inbound_overseas", "category: close_contact").replace(
      "    measures:",
      '    conditions:\n      exposureSince: "2022-05-01"\n    measures:',
    );
    const e = errorsOf(text);
    assert.deepEqual(
      e.map((x) => [x.code, x.line]),
      [["rule.never_matches", 14]],
    );
  });

  test("a rule shadowed by an earlier, unconditioned rule of the same category is rejected", () => {
    const text = `${GOOD}  - id: inbound-again
    category: inbound_overseas
    measures:
      homeHealthMonitoring: {days: 7}
    source: {quote: 七天居家健康监测, en: seven days home monitoring}
`;
    const e = errorsOf(text);
    assert.deepEqual(
      e.map((x) => [x.code, x.line]),
      [["rule.shadowed", 16]],
    );
  });

  test("a narrower look-back after a wider one of the same risk level is shadowed; a wider one is not", () => {
    const base = GOOD.replace(
      "category: inbound_overseas",
      "category: from_high_risk_area\n    lookbackDays: 14",
    );
    const later = (days: number) => `${base}  - id: later
    category: from_high_risk_area
    lookbackDays: ${days}
    measures:
      homeQuarantine: {days: 7}
    source: {quote: 七天居家隔离, en: seven days home}
`;
    assert.equal(errorsOf(later(7))[0]?.code, "rule.shadowed");
    assert.ok(parsePack({ file: "ok.yaml", text: later(21) }).ok);
  });

  test("two packs for the same jurisdiction with overlapping validity are rejected, naming both files", () => {
    const second = GOOD.replace("id: test-pack", "id: test-pack-2").replace(
      'effectiveFrom: "2021-12-07"',
      'effectiveFrom: "2022-03-01"',
    );
    const r = loadPacks([
      { file: "a.yaml", text: GOOD },
      { file: "b.yaml", text: second },
    ]);
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.code, "pack.overlapping_validity");
    assert.equal(r.errors[0]?.file, "b.yaml");
    assert.equal(r.errors[0]?.line, 5);
    assert.match(r.errors[0]?.message.en ?? "", /a\.yaml/);
  });

  test("packs that meet end to start, or cover different jurisdictions, load together", () => {
    const next = GOOD.replace("id: test-pack", "id: test-pack-2")
      .replace('effectiveFrom: "2021-12-07"', 'effectiveFrom: "2022-04-06"')
      .replace('effectiveTo: "2022-04-06"', "effectiveTo: null");
    const other = GOOD.replace("id: test-pack", "id: test-pack-3").replace('"640000"', '"640100"');
    const r = loadPacks([
      { file: "a.yaml", text: GOOD },
      { file: "b.yaml", text: next },
      { file: "c.yaml", text: other },
    ]);
    assert.ok(r.ok);
  });

  test("an open-ended pack overlaps every later pack for the same jurisdiction", () => {
    const open = GOOD.replace('effectiveTo: "2022-04-06"', "effectiveTo: null");
    const later = GOOD.replace("id: test-pack", "id: later")
      .replace('effectiveFrom: "2021-12-07"', 'effectiveFrom: "2030-01-01"')
      .replace('effectiveTo: "2022-04-06"', 'effectiveTo: "2031-01-01"');
    const r = loadPacks([
      { file: "open.yaml", text: open },
      { file: "later.yaml", text: later },
    ]);
    assert.ok(!r.ok);
    assert.equal(r.errors[0]?.code, "pack.overlapping_validity");
  });

  test("an end before the start is rejected", () => {
    const e = errorsOf(GOOD.replace('effectiveTo: "2022-04-06"', 'effectiveTo: "2021-01-01"'));
    assert.equal(e[0]?.code, "pack.empty_validity");
    assert.equal(e[0]?.line, 6);
  });
});

describe("loading a pack's zoning transitions", () => {
  const ZONING = `${GOOD}zoning:
  - id: high-to-medium
    from: high
    to: medium
    conditions:
      daysWithoutNewInfection: 7
      screeningNegative: {onDay: 7}
    source: {quote: 连续7天无新增, en: seven days without a new infection}
`;

  test("a downgrade with its conditions as data loads", () => {
    const r = parsePack({ file: "good.yaml", text: ZONING });
    assert.ok(r.ok);
    assert.equal(r.pack.pack.zoning?.[0]?.to, "medium");
  });

  test("an unknown condition is rejected at its line, in the file that has it", () => {
    const [e, ...rest] = errorsOf(
      ZONING.replace(
        "      daysWithoutNewInfection: 7",
        "      daysWithoutNewInfection: 7\n      curfew: true",
      ),
      "zoning.yaml",
    );
    assert.equal(rest.length, 0);
    assert.deepEqual([e?.file, e?.code, e?.line], ["zoning.yaml", "pack.unknown_field", 22]);
  });

  test("high → sealed is not a downgrade; a lift (to: null) of any kind is", () => {
    assert.deepEqual(
      errorsOf(ZONING.replace("to: medium", "to: sealed")).map((e) => [e.code, e.line]),
      [["zoning.not_a_downgrade", 19]],
    );
    assert.ok(parsePack({ file: "lift.yaml", text: ZONING.replace("to: medium", "to: null") }).ok);
  });

  test("a screening condition needs exactly one of onDay and withinDaysBefore, on a day that comes", () => {
    assert.deepEqual(
      errorsOf(ZONING.replace("{onDay: 7}", "{onDay: 7, withinDaysBefore: 2}")).map((e) => e.code),
      ["zoning.screening"],
    );
    assert.deepEqual(
      errorsOf(ZONING.replace("{onDay: 7}", "{onDay: 9}")).map((e) => e.code),
      ["zoning.never_matches"],
    );
  });

  test("a second transition from the same kind after an unconditioned one is shadowed", () => {
    const text = `${ZONING}  - id: high-to-low
    from: high
    to: low
    conditions: {daysWithoutNewInfection: 5}
    source: {quote: 五天, en: five days}
`;
    assert.deepEqual(
      errorsOf(text).map((e) => e.code),
      ["zoning.shadowed"],
    );
  });
});
