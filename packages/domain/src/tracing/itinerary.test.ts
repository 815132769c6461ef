import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { validateDesignation } from "../zones/area.ts";
import { checkItinerary, proposeAreas, type Stay } from "./itinerary.ts";

const t = (s: string) => new Date(`2022-04-${s}:00+08:00`);
const now = t("06T10:00");
// Onset 04-03: traced from 04-01 00:00 to the isolation on 04-05 09:00.
const window = { start: t("01T00:00"), end: t("05T09:00") };

const stay = (id: string, over: Partial<Stay>): Stay => ({
  id,
  kind: "activity",
  regionCode: "640324100001",
  placeName: null,
  venueId: null,
  from: t("02T10:00"),
  to: t("02T11:00"),
  frequentHigherRisk: false,
  ...over,
});

describe("the itinerary (行程) inside the look-back window", () => {
  test("stays inside the window are kept in time order; one before it is listed apart, not dropped", () => {
    const r = checkItinerary(
      [
        stay("market", { from: t("03T09:00"), to: t("03T10:00") }),
        stay("home", { kind: "residence", from: t("01T00:00"), to: t("05T09:00") }),
        stay("old", {
          from: new Date("2022-03-28T09:00:00+08:00"),
          to: new Date("2022-03-28T10:00:00+08:00"),
        }),
      ],
      window,
      now,
    );
    assert.deepEqual(
      r.inWindow.map((s) => s.id),
      ["home", "market"],
    );
    assert.deepEqual(
      r.outsideWindow.map((o) => o.stay.id),
      ["old"],
    );
    assert.match(r.outsideWindow[0]!.message.zh, /不在追溯期/);
  });

  test("a stay that ends before it starts, starts tomorrow, or has a bad region is refused", () => {
    const r = checkItinerary(
      [
        stay("a", { from: t("02T11:00"), to: t("02T10:00") }),
        stay("b", { from: t("07T09:00"), to: t("07T10:00") }),
        stay("c", { regionCode: "6403" }),
      ],
      window,
      now,
    );
    assert.deepEqual(
      r.refused.map((x) => [x.stayId, x.errors[0]!.code]),
      [
        ["a", "stay.ends_before_start"],
        ["b", "stay.future_time"],
        ["c", "stay.region_invalid"],
      ],
    );
  });
});

describe("risk-area proposals for the command to confirm (9th edition §2.2)", () => {
  const stays = [
    stay("home", { kind: "residence", placeName: "富兴小区3号楼" }),
    stay("work", { kind: "work", regionCode: "640324100002", placeName: "同心县某超市" }),
    stay("gym", { kind: "activity", regionCode: "640324101", placeName: "健身房", frequentHigherRisk: true }),
  ];

  test("the case's residence is proposed high risk; its workplace medium; a frequent higher-risk place high", () => {
    const p = proposeAreas("A", stays, "risk_areas", now);
    assert.deepEqual(
      p.map((x) => [x.stayIds.join(), x.kind]),
      [
        ["home", "high"],
        ["gym", "high"],
        ["work", "medium"],
      ],
    );
    assert.equal(p[0]!.explanation.zh, "建议划为高风险区：病例居住地「富兴小区3号楼」");
  });

  test("in the zone scheme the home and the gym are proposed sealed zones, the workplace a controlled zone", () => {
    assert.deepEqual(
      proposeAreas("A", stays, "zones", now).map((x) => x.kind),
      ["sealed", "sealed", "controlled"],
    );
  });

  test("every proposal is a designation the zones capability accepts; a place above a community goes into the reason", () => {
    for (const p of proposeAreas("A", stays, "risk_areas", now)) {
      const v = validateDesignation(p.designation);
      assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
    }
    const gym = proposeAreas("A", stays, "risk_areas", now).find((p) => p.stayIds[0] === "gym")!;
    assert.equal(gym.designation.placeName, null);
    assert.match(gym.designation.reason, /健身房/);
  });

  test("two stays at the same place make one proposal, the higher kind winning", () => {
    const p = proposeAreas(
      "A",
      [
        stay("w1", { kind: "work", placeName: "某车间" }),
        stay("w2", { kind: "work", placeName: "某车间", frequentHigherRisk: true }),
      ],
      "risk_areas",
      now,
    );
    assert.deepEqual(
      p.map((x) => [x.stayIds.join(), x.kind]),
      [["w1,w2", "high"]],
    );
  });
});
