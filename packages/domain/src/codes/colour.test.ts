/**
 * Health-code colours as the practice in protocols.md §5.1 and §3.3 assigns them, each with its
 * reasons: cases, contacts, quarantine, home monitoring, risk areas, pool recalls, co-presence,
 * routine tests; the worst wins; 3天2检 turns co-presence green; an override wins while it lasts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type ColourResult,
  computeColour,
  negativesMet,
  type PersonFacts,
  testsNeededSince,
} from "./colour.ts";
import { COLOUR_RANK, DEFAULT_HEALTH_CODE_POLICY, type HealthCodePolicy } from "./policy.ts";

/** An instant written in Beijing time: "2022-11-22 08:10". */
const bj = (s: string) => new Date(`${s.replace(" ", "T")}:00+08:00`);
const NOW = bj("2022-11-23 10:00");

const nobody = (): PersonFacts => ({
  known: true,
  cases: [],
  contacts: [],
  placements: [],
  areas: [],
  recalls: [],
  tests: [],
  coPresence: [],
  override: null,
});
const facts = (extra: Partial<PersonFacts>): PersonFacts => ({ ...nobody(), ...extra });
const policy = (edit: (p: HealthCodePolicy) => void = () => {}): HealthCodePolicy => {
  const p = structuredClone(DEFAULT_HEALTH_CODE_POLICY);
  edit(p);
  return p;
};
const colour = (f: PersonFacts, p = policy(), now = NOW) => computeColour(f, p, now);
const codes = (r: ColourResult) => r.reasons.map((x) => x.code);

const test12345 = {
  barcode: "T12345",
  sampledAt: bj("2022-11-22 08:10"),
  single: false,
  result: "pool_positive" as const,
};
const recall = { barcode: "T12345", createdAt: bj("2022-11-22 20:30"), retestResult: null, retestAt: null };

describe("green and grey", () => {
  test("a registered person with nothing on record is green, and is told so", () => {
    const r = colour(nobody());
    assert.equal(r.colour, "green");
    assert.deepEqual(codes(r), ["no_risk"]);
    assert.equal(r.reasons[0]!.message.zh, "绿码：无风险记录");
    assert.equal(r.reasons[0]!.message.en, "Green: nothing on record puts you at risk");
    assert.equal(r.recheckAt, null);
  });

  test("someone not registered is grey, whatever else is on record", () => {
    const r = colour({ ...facts({ areas: [sealed] }), known: false });
    assert.equal(r.colour, "grey");
    assert.deepEqual(codes(r), ["unknown_person"]);
  });
});

describe("混管阳性: a positive pool makes every member yellow until a negative single-tube retest", () => {
  test("yellow since the recall, naming the tube and its sampling time in Beijing time", () => {
    const r = colour(facts({ recalls: [recall], tests: [test12345] }));
    assert.equal(r.colour, "yellow");
    assert.deepEqual(codes(r), ["pool_recall"]);
    const why = r.reasons[0]!;
    assert.deepEqual(why.since, recall.createdAt);
    assert.equal(
      why.message.zh,
      "黄码（11月22日 20:30 起）：您 11月22日 08:10 采样的混管 T12345 阳性，需单管复核；单管复核阴性后转绿",
    );
    assert.equal(
      why.message.en,
      "Yellow since 22 Nov 20:30: pooled tube T12345 with your sample of 22 Nov 08:10 was positive; a single-tube retest is needed; green after a negative single-tube retest",
    );
    assert.deepEqual(why.clears, {
      zh: "单管复核阴性后转绿",
      en: "green after a negative single-tube retest",
    });
    assert.equal(r.recheckAt, null, "only a retest result changes it");
  });

  test("a lab's pool positive shows yellow even before the recall list is drawn up", () => {
    assert.equal(colour(facts({ tests: [test12345] })).colour, "yellow");
  });

  test("a negative single-tube retest turns it green, green since the retest", () => {
    const retestAt = bj("2022-11-23 02:00");
    const r = colour(
      facts({ recalls: [{ ...recall, retestResult: "negative", retestAt }], tests: [test12345] }),
    );
    assert.equal(r.colour, "green");
    assert.deepEqual(r.reasons[0]!.since, retestAt);
  });

  test("a negative single tube sampled after the pool clears it too; a pooled negative does not", () => {
    const single = {
      barcode: "S1",
      sampledAt: bj("2022-11-22 22:00"),
      single: true,
      result: "negative" as const,
    };
    assert.equal(colour(facts({ recalls: [recall], tests: [single, test12345] })).colour, "green");
    const pooled = { ...single, single: false };
    assert.equal(colour(facts({ recalls: [recall], tests: [pooled, test12345] })).colour, "yellow");
  });

  test("a positive retest is red, once, not also as a separate positive test", () => {
    const retestAt = bj("2022-11-23 03:00");
    const retest = {
      barcode: "S2",
      sampledAt: bj("2022-11-22 22:00"),
      single: true,
      result: "positive" as const,
    };
    const r = colour(
      facts({ recalls: [{ ...recall, retestResult: "positive", retestAt }], tests: [retest, test12345] }),
    );
    assert.equal(r.colour, "red");
    assert.deepEqual(codes(r), ["positive_retest"]);
  });
});

describe("cases and contacts: red until released (typical red list items 1–2; Suqian)", () => {
  const reportedAt = bj("2022-11-20 09:00");
  const aCase = {
    id: "c1",
    classification: "asymptomatic",
    reportedAt,
    status: "closed" as const,
    closedAt: bj("2022-11-21 09:00"),
  };
  const close = {
    caseId: "c1",
    kind: "close" as const,
    lastExposureAt: bj("2022-11-19 19:00"),
    classifiedAt: bj("2022-11-20 15:00"),
  };
  const released = (at: Date, phases: PersonFacts["placements"][number]["phases"] = []) => ({
    id: "p1",
    siteKind: "centralized" as const,
    status: "released" as const,
    placedAt: bj("2022-11-20 20:00"),
    releasedAt: at,
    phases,
  });

  test("an asymptomatic infection is red, even after the investigation is closed, until released", () => {
    const r = colour(facts({ cases: [aCase] }));
    assert.equal(r.colour, "red");
    assert.match(
      r.reasons[0]!.message.zh,
      /^红码（11月20日 09:00 起）：您被报告为无症状感染者；出院或解除隔离后转码$/,
    );
    assert.equal(
      colour(facts({ cases: [aCase], placements: [released(bj("2022-11-23 08:00"))] })).colour,
      "green",
    );
  });

  test("a pack that clears cases when the investigation closes", () => {
    const p = policy((x) => (x.colours.cases.until = "closed"));
    assert.equal(colour(facts({ cases: [aCase] }), p).colour, "green");
    assert.equal(
      colour(facts({ cases: [{ ...aCase, status: "investigating", closedAt: null }] }), p).colour,
      "red",
    );
  });

  test("a close contact is red with the last exposure named, until released from quarantine", () => {
    const r = colour(facts({ contacts: [close] }));
    assert.equal(r.colour, "red");
    assert.equal(r.reasons[0]!.code, "close_contact");
    assert.match(r.reasons[0]!.message.zh, /密切接触者（末次暴露 11月19日 19:00）/);
    assert.match(r.reasons[0]!.message.en, /close contact \(last exposure 19 Nov 19:00\)/);
    // A release before the classification (an earlier quarantine) does not count.
    assert.equal(
      colour(facts({ contacts: [close], placements: [released(bj("2022-11-20 12:00"))] })).colour,
      "red",
    );
    assert.equal(
      colour(facts({ contacts: [close], placements: [released(bj("2022-11-22 12:00"))] })).colour,
      "green",
    );
  });

  test("after release, home health monitoring is yellow until its last day ends (Suqian)", () => {
    const phases = [
      { kind: "centralized_quarantine" as const, start: "2022-11-20", end: "2022-11-22" },
      { kind: "home_health_monitoring" as const, start: "2022-11-23", end: "2022-11-25" },
    ];
    const f = facts({ contacts: [close], placements: [released(bj("2022-11-23 07:00"), phases)] });
    const r = colour(f);
    assert.equal(r.colour, "yellow");
    assert.deepEqual(codes(r), ["home_health_monitoring"]);
    assert.equal(
      r.reasons[0]!.message.zh,
      "黄码（11月23日 07:00 起）：您在居家健康监测期内（11月23日～11月25日）；监测期至 11月25日，期满后转绿",
    );
    assert.deepEqual(r.recheckAt, bj("2022-11-26 00:00"));
    const after = colour(f, policy(), bj("2022-11-26 00:00"));
    assert.equal(after.colour, "green");
    assert.deepEqual(after.reasons[0]!.since, bj("2022-11-26 00:00"));
  });

  test("secondary contacts are red by default, yellow or nothing where the pack says", () => {
    const secondary = { ...close, kind: "secondary" as const };
    assert.equal(colour(facts({ contacts: [secondary] })).colour, "red");
    const yellow = policy((x) => (x.colours.secondaryContacts.colour = "yellow"));
    assert.equal(colour(facts({ contacts: [secondary] }), yellow).colour, "yellow");
    const off = policy((x) => (x.colours.secondaryContacts.colour = null));
    assert.equal(colour(facts({ contacts: [secondary] }), off).colour, "green");
  });

  test("a general contact gets no colour by default", () => {
    assert.equal(colour(facts({ contacts: [{ ...close, kind: "general" }] })).colour, "green");
  });
});

describe("quarantine: everyone in centralized or home isolation (typical red list item 3)", () => {
  const placed = (siteKind: "centralized" | "designated_hospital" | "home") => ({
    id: "p1",
    siteKind,
    status: "placed" as const,
    placedAt: bj("2022-11-21 16:00"),
    releasedAt: null,
    phases: [
      { kind: "centralized_quarantine" as const, start: "2022-11-21", end: "2022-11-25" },
      { kind: "home_health_monitoring" as const, start: "2022-11-26", end: "2022-11-28" },
    ],
  });

  test("in a centralized site: red, with the phase's dates; checked again when the phase ends", () => {
    const r = colour(facts({ placements: [placed("centralized")] }));
    assert.equal(r.colour, "red");
    assert.equal(
      r.reasons[0]!.message.zh,
      "红码（11月21日 16:00 起）：您正在集中隔离点集中隔离（集中隔离 11月21日～11月25日）；解除隔离后转码",
    );
    assert.deepEqual(r.recheckAt, bj("2022-11-26 00:00"));
  });

  test("in a designated hospital: red until discharge", () => {
    const r = colour(facts({ placements: [placed("designated_hospital")] }));
    assert.equal(r.colour, "red");
    assert.equal(r.reasons[0]!.clears!.en, "changes on discharge");
  });

  test("a pack that makes home isolation yellow (Beijing 居家观察)", () => {
    const p = policy((x) => {
      x.colours.placements.sites.home = "yellow";
      x.colours.placements.phases.home_quarantine = "yellow";
    });
    const home = {
      ...placed("home"),
      phases: [{ kind: "home_quarantine" as const, start: "2022-11-21", end: "2022-11-27" }],
    };
    assert.equal(colour(facts({ placements: [home] }), p).colour, "yellow");
    assert.equal(colour(facts({ placements: [home] })).colour, "red");
  });

  test("an ended placement (transferred) gives no colour by itself", () => {
    const ended = { ...placed("centralized"), status: "ended" as const };
    assert.equal(colour(facts({ placements: [ended] })).colour, "green");
  });
});

const sealed = {
  id: "a1",
  kind: "sealed" as const,
  placeName: "富兴小区3号楼",
  regionName: "雁塔区电子城街道",
  validFrom: bj("2022-11-21 18:00"),
};

describe("risk areas and zones covering the current address", () => {
  test("a sealed zone is red, naming the place", () => {
    const r = colour(facts({ areas: [sealed] }));
    assert.equal(r.colour, "red");
    assert.equal(
      r.reasons[0]!.message.zh,
      "红码（11月21日 18:00 起）：您的现住址所在的雁塔区电子城街道富兴小区3号楼为封控区；封控区解除或降级后转码",
    );
  });

  test("high-risk red, controlled zone yellow, precaution zone and low-risk nothing", () => {
    const of = (kind: PersonFacts["areas"][number]["kind"]) =>
      colour(facts({ areas: [{ ...sealed, kind }] })).colour;
    assert.equal(of("high"), "red");
    assert.equal(of("medium"), "red");
    assert.equal(of("controlled"), "yellow");
    assert.equal(of("precaution"), "green");
    assert.equal(of("low"), "green");
  });

  test("a pack that gives high-risk areas no colour", () => {
    const p = policy((x) => (x.colours.areas.high = null));
    assert.equal(colour(facts({ areas: [{ ...sealed, kind: "high" }] }), p).colour, "green");
  });
});

describe("时空伴随: co-presence contacts yellow until 2 negatives in 3 days ≥ 24 h apart (Chengdu)", () => {
  const companion = {
    caseId: "c1",
    basis: "venue" as const,
    place: "万达广场星巴克",
    overlapTo: bj("2022-11-20 18:00"),
    confirmedAt: bj("2022-11-21 08:00"),
  };
  const negative = (at: string) => ({
    barcode: `N${at}`,
    sampledAt: bj(at),
    single: false,
    result: "negative" as const,
  });

  test("yellow since the investigator confirmed it, saying where and what clears it", () => {
    const r = colour(facts({ coPresence: [companion] }));
    assert.equal(r.colour, "yellow");
    assert.equal(
      r.reasons[0]!.message.zh,
      "黄码（11月21日 08:00 起）：经流调核实，您在万达广场星巴克与病例时空伴随（至 11月20日 18:00）；3 天内 2 次核酸检测阴性（每次间隔不少于 24 小时）后转绿",
    );
    assert.equal(r.reasons[0]!.clears!.en, "green after 2 negative tests within 3 days, at least 24 h apart");
  });

  test("two negatives 24 h apart turn it green", () => {
    const tests = [negative("2022-11-22 09:00"), negative("2022-11-21 09:00")];
    assert.equal(colour(facts({ coPresence: [companion], tests })).colour, "green");
  });

  test("two negatives only 20 h apart leave it yellow; a third a day later turns it green", () => {
    const two = [negative("2022-11-22 05:00"), negative("2022-11-21 09:00")];
    assert.equal(colour(facts({ coPresence: [companion], tests: two })).colour, "yellow");
    const three = [negative("2022-11-23 09:00"), ...two];
    assert.equal(colour(facts({ coPresence: [companion], tests: three })).colour, "green");
  });

  test("negatives four days apart are not 2 in 3 days; a negative before the overlap ended does not count", () => {
    const apart = [negative("2022-11-25 09:00"), negative("2022-11-21 09:00")];
    assert.equal(
      colour(facts({ coPresence: [companion], tests: apart }), policy(), bj("2022-11-26 10:00")).colour,
      "yellow",
    );
    const early = [negative("2022-11-21 09:00"), negative("2022-11-20 12:00")];
    assert.equal(colour(facts({ coPresence: [companion], tests: early })).colour, "yellow");
  });

  test("a pack with 7 days of self-monitoring: negatives met, green only after the 7 days", () => {
    const p = policy((x) => (x.colours.coPresence.monitorDays = 7));
    const tests = [negative("2022-11-22 09:00"), negative("2022-11-21 09:00")];
    const r = colour(facts({ coPresence: [companion], tests }), p);
    assert.equal(r.colour, "yellow");
    assert.deepEqual(r.recheckAt, bj("2022-11-27 18:00"));
    assert.equal(
      colour(facts({ coPresence: [companion], tests }), p, bj("2022-11-27 18:00")).colour,
      "green",
    );
  });

  test("the grid-cell rule names the cell", () => {
    const r = colour(facts({ coPresence: [{ ...companion, basis: "grid_cell", place: "800m:4421:1375" }] }));
    assert.match(r.reasons[0]!.message.en, /in the same grid cell \(800m:4421:1375\)/);
  });
});

describe("negativesMet: N negatives in D days ≥ H hours apart", () => {
  const from = bj("2022-11-20 00:00");
  const neg = (at: string, single = true) => ({
    barcode: at,
    sampledAt: bj(at),
    single,
    result: "negative" as const,
  });
  const rule = { count: 2, withinDays: 3, minHoursApart: 24, singleTubeOnly: false };

  test("met at the second test of the earliest chain", () => {
    const tests = [neg("2022-11-24 09:00"), neg("2022-11-22 09:00"), neg("2022-11-21 08:00")];
    assert.deepEqual(negativesMet(tests, from, rule), bj("2022-11-22 09:00"));
  });

  test("a positive after the fact means not met", () => {
    const tests = [
      neg("2022-11-23 09:00"),
      { barcode: "P", sampledAt: bj("2022-11-22 12:00"), single: true, result: "positive" as const },
      neg("2022-11-21 09:00"),
    ];
    assert.equal(negativesMet(tests, from, rule), null);
  });

  test("single-tube only: pooled negatives do not count", () => {
    const tests = [neg("2022-11-22 09:00", false), neg("2022-11-21 09:00")];
    assert.equal(negativesMet(tests, from, { ...rule, singleTubeOnly: true }), null);
    assert.notEqual(negativesMet(tests, from, rule), null);
  });
});

describe("routine testing (常态化核酸): Guiyang turns the code yellow with no test in 5 days", () => {
  const guiyang = policy((x) => (x.colours.routineTest.everyDays = 5));
  const sampled = (at: string) => ({ barcode: "R", sampledAt: bj(at), single: false, result: null });

  test("off by default", () => {
    assert.equal(colour(facts({ tests: [sampled("2022-11-01 09:00")] })).colour, "green");
  });

  test("last sampled 6 days ago: yellow since the test fell due", () => {
    const r = colour(facts({ tests: [sampled("2022-11-17 09:00")] }), guiyang);
    assert.equal(r.colour, "yellow");
    assert.deepEqual(r.reasons[0]!.since, bj("2022-11-22 09:00"));
    assert.match(r.reasons[0]!.message.zh, /每 5 天至少采样 1 次，您上次采样为 11月17日 09:00/);
  });

  test("sampled 3 days ago (result pending): green, checked again when the next test falls due", () => {
    const r = colour(facts({ tests: [sampled("2022-11-20 09:00")] }), guiyang);
    assert.equal(r.colour, "green");
    assert.deepEqual(r.recheckAt, bj("2022-11-25 09:00"));
  });

  test("no sample on record at all: yellow", () => {
    const r = colour(nobody(), guiyang);
    assert.equal(r.colour, "yellow");
    assert.match(r.reasons[0]!.message.en, /no sample of yours is on record in the last 5 days/);
  });
});

describe("a positive single-tube result", () => {
  const positive = {
    barcode: "S9",
    sampledAt: bj("2022-11-22 09:00"),
    single: true,
    result: "positive" as const,
  };

  test("red until a case record takes over or the pack's 14 days pass", () => {
    const r = colour(facts({ tests: [positive] }));
    assert.equal(r.colour, "red");
    assert.deepEqual(r.recheckAt, bj("2022-12-06 09:00"));
    assert.equal(colour(facts({ tests: [positive] }), policy(), bj("2022-12-06 09:00")).colour, "green");
  });

  test("once the case is reported, the case rule decides: released, the person is green", () => {
    const aCase = {
      id: "c9",
      classification: "confirmed_mild",
      reportedAt: bj("2022-11-22 15:00"),
      status: "investigating" as const,
      closedAt: null,
    };
    const inHospital = colour(facts({ tests: [positive], cases: [aCase] }));
    assert.deepEqual(codes(inHospital), ["case"]);
    const discharged = {
      id: "p9",
      siteKind: "designated_hospital" as const,
      status: "released" as const,
      placedAt: bj("2022-11-22 18:00"),
      releasedAt: bj("2022-11-30 10:00"),
      phases: [],
    };
    const after = colour(
      facts({ tests: [positive], cases: [aCase], placements: [discharged] }),
      policy(),
      bj("2022-12-01 10:00"),
    );
    assert.equal(after.colour, "green");
  });
});

describe("the worst reason wins, and every reason is listed", () => {
  test("a pool recall (yellow) in a sealed zone (red): red, the red reason first", () => {
    const r = colour(facts({ recalls: [recall], tests: [test12345], areas: [sealed] }));
    assert.equal(r.colour, "red");
    assert.deepEqual(codes(r), ["risk_area", "pool_recall"]);
  });

  test("recheckAt is the earliest of the rules' own times", () => {
    const guiyang = policy((x) => (x.colours.routineTest.everyDays = 5));
    const monitoring = {
      id: "p1",
      siteKind: "home" as const,
      status: "released" as const,
      placedAt: bj("2022-11-10 10:00"),
      releasedAt: bj("2022-11-17 10:00"),
      phases: [{ kind: "home_health_monitoring" as const, start: "2022-11-18", end: "2022-11-30" }],
    };
    const tests = [
      { barcode: "R", sampledAt: bj("2022-11-21 09:00"), single: false, result: "negative" as const },
    ];
    const r = colour(facts({ placements: [monitoring], tests }), guiyang);
    assert.equal(r.colour, "yellow");
    assert.deepEqual(r.recheckAt, bj("2022-11-26 09:00"));
  });
});

describe("a manual override wins while it lasts (two users, written reason, expiry)", () => {
  const override = {
    id: "o1",
    colour: "yellow" as const,
    reason: "经区疾控研判，封控区内医护人员按黄码管理",
    approvedAt: bj("2022-11-23 08:00"),
    expiresAt: bj("2022-11-24 08:00"),
  };

  test("yellow by hand over a red rule, shown first with its reason and expiry; the rule reasons follow", () => {
    const r = colour(facts({ areas: [sealed], override }));
    assert.equal(r.colour, "yellow");
    assert.deepEqual(codes(r), ["override", "risk_area"]);
    assert.equal(
      r.reasons[0]!.message.zh,
      "黄码（人工调整，11月23日 08:00 起至 11月24日 08:00）：经区疾控研判，封控区内医护人员按黄码管理；11月24日 08:00 到期后按规则重新判定",
    );
    assert.deepEqual(r.recheckAt, bj("2022-11-24 08:00"));
  });

  test("once expired, the rules apply again", () => {
    assert.equal(
      colour(facts({ areas: [sealed], override }), policy(), bj("2022-11-24 08:00")).colour,
      "red",
    );
  });

  test("an override never lasts longer than the pack's maximum", () => {
    const long = { ...override, expiresAt: bj("2022-12-31 00:00") };
    const r = colour(facts({ areas: [sealed], override: long }));
    assert.deepEqual(r.recheckAt, bj("2022-11-26 08:00"), "72 h after approval");
    assert.equal(
      colour(facts({ areas: [sealed], override: long }), policy(), bj("2022-11-26 08:00")).colour,
      "red",
    );
  });
});

test("the tests needed: the longest rule window, or an older co-presence overlap", () => {
  assert.deepEqual(
    testsNeededSince({ coPresence: [] }, DEFAULT_HEALTH_CODE_POLICY, NOW),
    bj("2022-11-09 10:00"),
  );
  const old = {
    caseId: "c",
    basis: "venue" as const,
    place: "x",
    overlapTo: bj("2022-11-01 12:00"),
    confirmedAt: NOW,
  };
  assert.deepEqual(
    testsNeededSince({ coPresence: [old] }, DEFAULT_HEALTH_CODE_POLICY, NOW),
    bj("2022-11-01 12:00"),
  );
});

describe("properties", () => {
  const t0 = NOW.getTime();
  const instant = fc.integer({ min: -20 * 86_400_000, max: 2 * 86_400_000 }).map((d) => new Date(t0 + d));
  const date = fc
    .integer({ min: -20, max: 10 })
    .map((d) => new Date(t0 + d * 86_400_000).toISOString().slice(0, 10));
  const arbFacts: fc.Arbitrary<PersonFacts> = fc.record({
    known: fc.constant(true),
    cases: fc.array(
      fc.record({
        id: fc.constant("c"),
        classification: fc.constantFrom("asymptomatic", "confirmed_mild", "suspected"),
        reportedAt: instant,
        status: fc.constantFrom("investigating" as const, "closed" as const),
        closedAt: fc.constant(null),
      }),
      { maxLength: 2 },
    ),
    contacts: fc.array(
      fc.record({
        caseId: fc.constant("c"),
        kind: fc.constantFrom("close" as const, "secondary" as const, "general" as const),
        lastExposureAt: instant,
        classifiedAt: instant,
      }),
      { maxLength: 2 },
    ),
    placements: fc.array(
      fc.record({
        id: fc.constant("p"),
        siteKind: fc.constantFrom("centralized" as const, "designated_hospital" as const, "home" as const),
        status: fc.constantFrom("placed" as const, "released" as const, "ended" as const),
        placedAt: instant,
        releasedAt: fc.option(instant, { nil: null }),
        phases: fc.array(
          fc.record({
            kind: fc.constantFrom(
              "centralized_quarantine" as const,
              "quarantine" as const,
              "home_quarantine" as const,
              "home_health_monitoring" as const,
            ),
            start: date,
            end: date,
          }),
          { maxLength: 2 },
        ),
      }),
      { maxLength: 2 },
    ),
    areas: fc.array(
      fc.record({
        id: fc.constant("a"),
        kind: fc.constantFrom(
          "high" as const,
          "medium" as const,
          "low" as const,
          "sealed" as const,
          "controlled" as const,
          "precaution" as const,
        ),
        placeName: fc.constant(null),
        regionName: fc.constant("某区"),
        validFrom: instant,
      }),
      { maxLength: 2 },
    ),
    recalls: fc.array(
      fc.record({
        barcode: fc.constantFrom("T1", "T2"),
        createdAt: instant,
        retestResult: fc.constantFrom("negative" as const, "positive" as const, null),
        retestAt: fc.option(instant, { nil: null }),
      }),
      { maxLength: 2 },
    ),
    tests: fc.array(
      fc.record({
        barcode: fc.constantFrom("T1", "T2", "S1"),
        sampledAt: instant,
        single: fc.boolean(),
        result: fc.constantFrom("negative" as const, "positive" as const, "pool_positive" as const, null),
      }),
      { maxLength: 4 },
    ),
    coPresence: fc.array(
      fc.record({
        caseId: fc.constant("c"),
        basis: fc.constantFrom("venue" as const, "grid_cell" as const),
        place: fc.constant("某场所"),
        overlapTo: instant,
        confirmedAt: instant,
      }),
      { maxLength: 2 },
    ),
    override: fc.constant(null),
  });
  const guiyang = policy((x) => (x.colours.routineTest.everyDays = 5));

  test("without an override the colour is the worst reason's, there is always a reason, recheckAt is in the future", () => {
    fc.assert(
      fc.property(arbFacts, fc.constantFrom(DEFAULT_HEALTH_CODE_POLICY, guiyang), (f, p) => {
        const r = computeColour(f, p, NOW);
        assert.ok(r.reasons.length > 0);
        assert.equal(r.colour, r.reasons[0]!.colour);
        for (const x of r.reasons) assert.ok(COLOUR_RANK[x.colour] <= COLOUR_RANK[r.colour]);
        assert.ok(r.recheckAt === null || r.recheckAt.getTime() > NOW.getTime());
        for (const x of r.reasons) assert.ok(x.message.zh.length > 0 && x.message.en.length > 0);
      }),
    );
  });

  test("adding a red fact (a sealed zone) never makes the colour less restrictive, and makes it red", () => {
    fc.assert(
      fc.property(arbFacts, (f) => {
        const before = computeColour(f, DEFAULT_HEALTH_CODE_POLICY, NOW);
        const after = computeColour({ ...f, areas: [...f.areas, sealed] }, DEFAULT_HEALTH_CODE_POLICY, NOW);
        assert.ok(COLOUR_RANK[after.colour] >= COLOUR_RANK[before.colour]);
        assert.equal(after.colour, "red");
      }),
    );
  });

  test("nothing changes between now and recheckAt with no new event", () => {
    fc.assert(
      fc.property(arbFacts, fc.double({ min: 0, max: 1, noNaN: true }), (f, frac) => {
        const r = computeColour(f, guiyang, NOW);
        const until = r.recheckAt?.getTime() ?? NOW.getTime() + 30 * 86_400_000;
        const mid = new Date(NOW.getTime() + Math.floor((until - NOW.getTime()) * frac * 0.999));
        assert.equal(computeColour(f, guiyang, mid).colour, r.colour);
      }),
    );
  });
});
