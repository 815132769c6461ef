import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideMeasures, type PersonFacts } from "../policies/engine.ts";
import { shippedPacks } from "../policies/shipped-packs.fixture.ts";
import { checkHospital, checkToHospital, checkUpgrade } from "./placement-end.ts";

const packs = shippedPacks();

/** The measures the pack in force gives a contact, with that pack. */
function decided(at: string, region: string, kind: "close" | "secondary") {
  const facts: PersonFacts = { contacts: [{ kind, lastExposureAt: at }] };
  const d = decideMeasures({ facts, arrivalAt: at, destinationRegion: region, riskAreas: [], packs });
  assert.equal(d.status, "decided");
  if (d.status !== "decided") throw new Error("not decided");
  const pack = packs.find((p) => p.pack.id === d.pack.id)!.pack;
  return { measures: d.measures, pack };
}

describe("transfer to a designated hospital", () => {
  const hospital = { kind: "designated_hospital" as const, name: "银川市第四人民医院", regionCode: "640104" };
  test("a designated hospital of the caller's jurisdiction is accepted", () => {
    assert.deepEqual(checkHospital(hospital, "640100"), []);
  });
  test("a hotel is not a designated hospital", () => {
    const [e] = checkHospital({ ...hospital, kind: "centralized", name: "宁安宾馆" }, "640100");
    assert.equal(e?.code, "hospital.not_designated");
    assert.match(e!.message.zh, /宁安宾馆 不是定点医院/);
  });
  test("a designated hospital outside the jurisdiction is refused", () => {
    assert.equal(checkHospital(hospital, "640105")[0]?.code, "hospital.outside_jurisdiction");
    assert.equal(checkHospital(null, "640105")[0]?.code, "hospital.unknown");
  });
  test("without a positive result a reason is needed; with one, none", () => {
    const t = { placedAt: new Date("2022-08-01T10:00:00Z"), at: new Date("2022-08-03T10:00:00Z") };
    const now = new Date("2022-08-03T12:00:00Z");
    assert.deepEqual(checkToHospital({ ...t, now, positive: true, reason: null }), []);
    assert.equal(
      checkToHospital({ ...t, now, positive: false, reason: " " })[0]?.code,
      "to_hospital.reason_required",
    );
    assert.deepEqual(checkToHospital({ ...t, now, positive: false, reason: "发热，医院排查" }), []);
    assert.equal(
      checkToHospital({ ...t, at: new Date("2022-07-31T00:00:00Z"), now, positive: true, reason: null })[0]
        ?.code,
      "release.before_placement",
    );
  });
});

describe("upgrade of a secondary contact to close contact", () => {
  test("9th edition: a secondary contact's measures (home 7 days, linked close contact's tests) may be upgraded", () => {
    const { measures, pack } = decided("2022-08-01", "640104", "secondary");
    const v = checkUpgrade(measures, pack);
    assert.deepEqual(v, { ok: true, value: { ruleId: "secondary-contact-7-home" } });
  });
  test("9th edition: a close contact is not upgraded", () => {
    const { measures, pack } = decided("2022-08-01", "640104", "close");
    const v = checkUpgrade(measures, pack);
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.errors[0]!.code, "upgrade.not_secondary");
  });
  test("8th edition: a secondary contact's rule without tests is recognised by its measures", () => {
    const { measures, pack } = decided("2021-06-01", "440106", "secondary");
    assert.deepEqual(checkUpgrade(measures, pack), {
      ok: true,
      value: { ruleId: "secondary-contact-7-centralized" },
    });
  });
  test("Qilin 2020: close and secondary contacts get the same 14 days, so there is nothing to upgrade", () => {
    const { measures, pack } = decided("2021-01-10", "530302", "secondary");
    const v = checkUpgrade(measures, pack);
    assert.equal(!v.ok && v.errors[0]!.code, "upgrade.already_close");
  });
  test("measures of no known pack are not upgraded", () => {
    const { measures } = decided("2022-08-01", "640104", "secondary");
    const v = checkUpgrade(measures, null);
    assert.equal(!v.ok && v.errors[0]!.code, "upgrade.not_secondary");
  });
});
