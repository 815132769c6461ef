import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type AreaDesignation, areaOf, areasInForce, validateDesignation, validateEnd } from "./area.ts";

const t = (s: string) => new Date(`${s}+08:00`);

// Tongxin county (640324), 豫海镇 (640324100): a community sealed after a positive case, later lifted.
const sealed: AreaDesignation = {
  id: "a1",
  regionCode: "640324100001",
  placeName: null,
  kind: "sealed",
  from: t("2022-04-01T08:00:00"),
  to: t("2022-04-15T08:00:00"),
  reason: "确诊病例居住地",
  linkedCase: "NX-2022-001",
};
const highTownship: AreaDesignation = {
  id: "a2",
  regionCode: "640324100",
  placeName: null,
  kind: "high",
  from: t("2022-04-05T00:00:00"),
  to: null,
  reason: "病例活动轨迹集中",
  linkedCase: null,
};
const building: AreaDesignation = {
  id: "a3",
  regionCode: "640324100002",
  placeName: "豫园小区3号楼",
  kind: "high",
  from: t("2022-04-07T12:00:00"),
  to: t("2022-04-14T12:00:00"),
  reason: "无症状感染者居住楼栋",
  linkedCase: "NX-2022-002",
};
const all = [sealed, highTownship, building];

describe("risk areas and zones as the notices list them", () => {
  test("which areas were high-risk on 2022-04-08?", () => {
    const high = areasInForce(all, t("2022-04-08T10:00:00")).filter((d) => d.kind === "high");
    assert.deepEqual(
      high.map((d) => d.id),
      ["a2", "a3"],
    );
  });

  test("which areas were sealed on 2022-04-10, and on 2022-04-20 after the lift?", () => {
    assert.deepEqual(
      areasInForce(all, t("2022-04-10T00:00:00"))
        .filter((d) => d.kind === "sealed")
        .map((d) => d.id),
      ["a1"],
    );
    assert.deepEqual(
      areasInForce(all, t("2022-04-20T00:00:00"))
        .filter((d) => d.kind === "sealed")
        .map((d) => d.id),
      [],
    );
  });

  test("the start is inclusive and the end exclusive", () => {
    assert.equal(areasInForce([sealed], sealed.from).length, 1);
    assert.equal(areasInForce([sealed], sealed.to!).length, 0);
    assert.equal(areasInForce([sealed], new Date(sealed.from.getTime() - 1)).length, 0);
  });

  test("a township designated high-risk covers its communities and grids, not its neighbours", () => {
    const at = t("2022-04-08T10:00:00");
    assert.deepEqual(
      areaOf("640324100004", all, at).map((d) => d.id),
      ["a2"],
    );
    assert.deepEqual(
      areaOf("640324100001001", all, at).map((d) => d.id),
      ["a1", "a2"],
    );
    assert.deepEqual(areaOf("640324101001", all, at), []);
    assert.deepEqual(areaOf("640324", all, at), [], "a designation below does not cover the county");
  });

  test("a named building covers only its own community, not the grids below it", () => {
    const at = t("2022-04-08T10:00:00");
    assert.deepEqual(
      areaOf("640324100002", all, at).map((d) => d.id),
      ["a2", "a3"],
    );
    assert.deepEqual(
      areaOf("640324100002001", all, at).map((d) => d.id),
      ["a2"],
    );
  });
});

describe("designating an area: the rules of input", () => {
  const ok = {
    regionCode: "640324100001",
    kind: "sealed",
    from: t("2022-04-01T08:00:00"),
    reason: " 确诊病例居住地 ",
  };

  test("a valid designation is trimmed and open-ended by default", () => {
    const r = validateDesignation(ok);
    assert.ok(r.ok);
    assert.equal(r.value.reason, "确诊病例居住地");
    assert.equal(r.value.to, null);
    assert.equal(r.value.placeName, null);
  });

  test("the end must be after the start", () => {
    const r = validateDesignation({ ...ok, to: t("2022-03-30T00:00:00") });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ["to.before_from"],
    );
    assert.match(r.errors[0]!.message.zh, /晚于/);
    assert.match(r.errors[0]!.message.en, /after the start/);
  });

  test("an unknown kind, a missing reason and a compound named on a county are all reported", () => {
    const r = validateDesignation({
      ...ok,
      regionCode: "640324",
      kind: "orange",
      placeName: "富兴小区",
      reason: "",
    });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.code).sort(), [
      "kind.unknown",
      "placeName.level",
      "reason.required",
    ]);
  });

  test("a named compound is allowed inside a community or a grid", () => {
    assert.ok(validateDesignation({ ...ok, placeName: "富兴小区" }).ok);
    assert.ok(validateDesignation({ ...ok, regionCode: "640324100001001", placeName: "3号楼" }).ok);
  });

  test("ending: not before the start, not twice", () => {
    assert.ok(validateEnd({ from: sealed.from, endedAt: null }, t("2022-04-15T08:00:00"), "14天无新增").ok);
    const early = validateEnd({ from: sealed.from, endedAt: null }, t("2022-03-31T08:00:00"), "x");
    assert.ok(!early.ok && early.errors[0]!.code === "at.before_from");
    const twice = validateEnd({ from: sealed.from, endedAt: sealed.to }, t("2022-04-16T08:00:00"), "x");
    assert.ok(!twice.ok && twice.errors[0]!.code === "area.already_ended");
  });
});
