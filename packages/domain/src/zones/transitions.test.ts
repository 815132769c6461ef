/**
 * Downgrade and lift proposals under the shipped packs; each test quotes the sentence it checks.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { shippedPacks } from "../policies/shipped-packs.fixture.ts";
import type { AreaKind } from "./area.ts";
import { type AreaEvent, type Proposal, proposeTransition, type TransitionSubject } from "./transitions.ts";
import { shanghaiDayStart } from "../shared/shanghai-time.ts";

const packs = shippedPacks();
const bj = (s: string) => new Date(`${s}+08:00`);

function area(
  kind: AreaKind,
  from: string,
  regionCode = "640104001",
  previousKind: AreaKind | null = null,
): TransitionSubject {
  return { id: "d1", regionCode, kind, from: bj(from), to: null, previousKind };
}

let seq = 0;
function ev(kind: AreaEvent["kind"], at: string, result: AreaEvent["result"] = null): AreaEvent {
  return { id: `e${++seq}`, kind, at: bj(at), result };
}

function propose(d: TransitionSubject, events: AreaEvent[], at: string): Proposal {
  const p = proposeTransition({ designation: d, events, packs, at: bj(at) });
  assert.ok(p, "a proposal is expected");
  return p;
}

const cond = (p: Proposal, code: string) => p.conditions.find((c) => c.code === code);

describe("9th edition (national-9th-edition): high → medium → low", () => {
  const high = area("high", "2022-08-01T10:00");

  test("「Downgrade to medium after 7 consecutive days with no new infection, and an area-wide test on day 7 all negative.」 with the day-7 test negative, a high area designated on 08-01 is proposed as medium on 08-09", () => {
    const p = propose(high, [ev("screening_round", "2022-08-08T15:00", "negative")], "2022-08-09T09:00");
    assert.equal(p.status, "ready");
    assert.deepEqual(
      [p.packId, p.transitionId, p.fromKind, p.toKind],
      ["national-9th-edition", "high-to-medium-7-days", "high", "medium"],
    );
    assert.equal(
      p.source.quote,
      "Downgrade to medium after 7 consecutive days with no new infection, and an area-wide test on day 7 all negative.",
    );
    assert.match(cond(p, "screening_negative")!.message.en, /day 7 \(2022-08-08\).*negative on 2022-08-08/);
    assert.match(cond(p, "days_without_new_infection")!.message.zh, /第 7 天为 2022-08-08/);
  });

  test("「an area-wide test on day 7 all negative」: without the day-7 round the proposal is pending, naming what is missing", () => {
    const p = propose(high, [ev("screening_round", "2022-08-07T15:00", "negative")], "2022-08-09T09:00");
    assert.equal(p.status, "pending");
    assert.equal(cond(p, "days_without_new_infection")!.met, true);
    assert.equal(cond(p, "screening_negative")!.met, false);
    assert.match(cond(p, "screening_negative")!.message.en, /none recorded/);
  });

  test("「7 consecutive days with no new infection」: a new infection on 08-05 restarts the count, so day 7 is 08-12", () => {
    const events = [
      ev("new_infection", "2022-08-05T11:00"),
      ev("screening_round", "2022-08-08T15:00", "negative"),
    ];
    const early = propose(high, events, "2022-08-09T09:00");
    assert.equal(early.status, "pending");
    assert.match(
      cond(early, "days_without_new_infection")!.message.en,
      /3 so far .*last new infection 2022-08-05; day 7 ends 2022-08-12/,
    );
    assert.equal(early.daysMetAt, bj("2022-08-13T00:00").toISOString());
    const later = propose(
      high,
      [...events, ev("screening_round", "2022-08-12T09:00", "negative")],
      "2022-08-13T08:00",
    );
    assert.equal(later.status, "ready");
  });

  test("「an area-wide test on day 7 all negative」: a positive in the day-7 round is not a negative round", () => {
    const p = propose(
      high,
      [
        ev("screening_round", "2022-08-08T09:00", "negative"),
        ev("screening_round", "2022-08-08T18:00", "positive"),
      ],
      "2022-08-09T09:00",
    );
    assert.equal(cond(p, "screening_negative")!.met, false);
    assert.match(cond(p, "screening_negative")!.message.en, /positive on 2022-08-08/);
  });

  test("「The medium area that results drops to low after a further 3 days without new infections.」 a medium area opened by the downgrade drops to low 3 days on, with no test", () => {
    const medium = area("medium", "2022-08-09T09:00", "640104001", "high");
    const p = propose(medium, [], "2022-08-13T00:00");
    assert.deepEqual(
      [p.transitionId, p.toKind, p.status],
      ["medium-after-high-to-low-3-days", "low", "ready"],
    );
    assert.equal(cond(p, "downgraded_from")?.met, true);
    assert.equal(cond(p, "screening_negative"), undefined);
    assert.equal(propose(medium, [], "2022-08-12T23:00").status, "pending");
  });

  test("「Downgrade to low after 7 days with no new infection, with the day-7 test all negative.」 a medium area designated as such waits 7 days and the day-7 test", () => {
    const medium = area("medium", "2022-08-01T10:00");
    const p = propose(medium, [ev("screening_round", "2022-08-08T15:00", "negative")], "2022-08-09T00:00");
    assert.deepEqual([p.transitionId, p.toKind, p.status], ["medium-to-low-7-days", "low", "ready"]);
  });

  test("the 9th edition proposes nothing for a low-risk area (its lifting depends on the whole county)", () => {
    assert.equal(
      proposeTransition({
        designation: area("low", "2022-08-01"),
        events: [],
        packs,
        at: bj("2022-09-01T00:00"),
      }),
      null,
    );
  });

  test("an ended designation is not proposed: the in-force condition fails", () => {
    const ended = { ...high, to: bj("2022-08-05T00:00") };
    const p = propose(ended, [ev("screening_round", "2022-08-08T15:00", "negative")], "2022-08-09T09:00");
    assert.equal(p.status, "pending");
    assert.equal(cond(p, "in_force")!.met, false);
  });

  test("a fact recorded after the proposal's time changes neither its status nor its fingerprint", () => {
    const base = [ev("screening_round", "2022-08-08T15:00", "negative")];
    const a = propose(high, base, "2022-08-09T09:00");
    const b = propose(high, [...base, ev("new_infection", "2022-08-10T09:00")], "2022-08-09T09:00");
    assert.equal(a.fingerprint, b.fingerprint);
    const c = propose(
      high,
      [...base, ev("screening_round", "2022-08-09T08:00", "negative")],
      "2022-08-09T09:00",
    );
    assert.notEqual(a.fingerprint, c.fingerprint);
  });
});

describe("8th edition (national-8th-edition): lifting sealed and controlled zones", () => {
  const sealed = area("sealed", "2022-01-03T12:00", "640104001");

  test("「Lifting a 封控区 or 管控区 needs all three:」 14 days without a new case, the last close contact released and a negative round within 2 days", () => {
    const events = [
      ev("last_contact_released", "2022-01-16T10:00"),
      ev("screening_round", "2022-01-17T09:00", "negative"),
    ];
    const p = propose(sealed, events, "2022-01-18T08:00");
    assert.deepEqual(
      [p.packId, p.transitionId, p.toKind, p.status],
      ["national-8th-edition", "sealed-lift-14-days", null, "ready"],
    );
    assert.equal(p.source.quote, "Lifting a 封控区 or 管控区 needs all three:");
    // Ningxia's emergency notice is not in force yet in January; the 8th edition is the pack in force.
    assert.equal(p.silentPackId, "ningxia-2021-12-winter-spring");
  });

  test("「everyone in the zone completes one negative screening round within the 2 days before lifting」: a round three days earlier is too old", () => {
    const events = [
      ev("last_contact_released", "2022-01-16T10:00"),
      ev("screening_round", "2022-01-15T09:00", "negative"),
    ];
    const p = propose(sealed, events, "2022-01-18T10:00");
    assert.equal(p.status, "pending");
    assert.deepEqual(
      p.conditions.filter((c) => !c.met).map((c) => c.code),
      ["screening_negative"],
    );
  });

  test("「the last close contact is >14 days past last exposure and tests negative」: without the release recorded, a controlled zone stays", () => {
    const controlled = area("controlled", "2022-01-03T12:00", "640104001");
    const p = propose(
      controlled,
      [ev("screening_round", "2022-01-17T09:00", "negative")],
      "2022-01-18T08:00",
    );
    assert.equal(p.transitionId, "controlled-lift-14-days");
    assert.deepEqual(
      p.conditions.filter((c) => !c.met).map((c) => c.code),
      ["last_contact_released"],
    );
  });

  test("a local notice in force that says nothing on zoning (001, Ningxia 2022-04) leaves the 8th edition's lifting rules", () => {
    const z = area("sealed", "2022-04-10T12:00", "640324");
    const p = propose(z, [], "2022-04-20T12:00");
    assert.equal(p.packId, "national-8th-edition");
    assert.equal(p.silentPackId, "ningxia-2022-04-emergency");
  });
});

describe("twenty measures (national-2022-11-twenty-measures)", () => {
  test("「High → low after 5 consecutive days with no new infection.」 a high-risk building designated on 11-14 is proposed as low on 11-20, with no screening asked", () => {
    const high = area("high", "2022-11-14T16:00", "110105");
    const p = propose(high, [], "2022-11-20T00:00");
    assert.deepEqual(
      [p.packId, p.transitionId, p.toKind, p.status],
      ["national-2022-11-twenty-measures", "high-to-low-5-days", "low", "ready"],
    );
    assert.equal(propose(high, [], "2022-11-19T23:59").status, "pending");
  });
});

test("Beijing days: 23:30 UTC is already the next day in Beijing", () => {
  assert.equal(shanghaiDayStart(Date.parse("2022-08-01T23:30:00Z")), Date.parse("2022-08-02T00:00:00+08:00"));
});
