import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideMeasures, type PersonFacts, type RiskArea } from "./engine.ts";
import type { LoadedPack } from "./pack-schema.ts";
import { shippedPacks } from "./shipped-packs.fixture.ts";
import { readDecision, storedDecision } from "./stored-decision.ts";

// The shipped packs with a digest each, as the server's loader gives them.
const packs: LoadedPack[] = shippedPacks().map((p, i) => ({ ...p, digest: `digest-${i}` }));

const cases: { at: string; region: string; facts: PersonFacts; areas?: RiskArea[] }[] = [
  // Decided: Qilin's overseas arrivals, 14 days centralized with 3 negatives.
  { at: "2020-12-25T09:00:00+08:00", region: "530302001001", facts: { inboundOverseas: true } },
  // Decided with two rules (Ningxia 2021-12: from abroad, and another province's history).
  {
    at: "2021-12-20T15:00:00+08:00",
    region: "640104001001",
    facts: {
      inboundOverseas: true,
      travelHistory: [{ regionCode: "110101001", from: "2021-12-10", to: "2021-12-15" }],
    },
  },
  // Decided by a stay in a recorded high-risk area (9th edition).
  {
    at: "2022-08-10T10:00:00+08:00",
    region: "640324001001",
    facts: { travelHistory: [{ regionCode: "460200001", from: "2022-08-05", to: "2022-08-08" }] },
    areas: [{ regionCode: "460200", level: "high", from: "2022-08-01T00:00:00+08:00", to: null }],
  },
  // No rule matched.
  { at: "2022-08-10T10:00:00+08:00", region: "640324001001", facts: {} },
  // No pack in force.
  { at: "2019-01-01T00:00:00+08:00", region: "640324001001", facts: {} },
];

describe("a decision as stored with an arrival, and read back", () => {
  for (const c of cases) {
    const d = decideMeasures({
      facts: c.facts,
      arrivalAt: c.at,
      destinationRegion: c.region,
      riskAreas: c.areas ?? [],
      packs,
    });
    test(`${d.status}${d.status === "no_pack" ? "" : ` (${d.pack.id})`}: read back it is the engine's decision, whole`, () => {
      const stored = JSON.parse(JSON.stringify(storedDecision(d, c.at, packs)));
      assert.deepEqual(readDecision(stored, packs), JSON.parse(JSON.stringify(d)));
    });
  }

  test("what is stored holds the measures and matched facts, not the pack's quoted sentences", () => {
    const d = decideMeasures({
      facts: { inboundOverseas: true },
      arrivalAt: "2020-12-25T09:00:00+08:00",
      destinationRegion: "530302001001",
      riskAreas: [],
      packs,
    });
    assert.equal(d.status, "decided");
    const stored = JSON.stringify(storedDecision(d, "2020-12-25T09:00:00+08:00", packs));
    assert.ok(stored.includes('"centralizedQuarantine":{"days":14}'));
    assert.ok(d.status === "decided" && !stored.includes(d.explanation[0]!.source.quote));
    assert.ok(stored.length * 2 < JSON.stringify(d).length, "less than half the size");
  });

  test("a pack file changed since the decision, or gone: the decision says so and keeps its measures", () => {
    const at = "2020-12-25T09:00:00+08:00";
    const d = decideMeasures({
      facts: { inboundOverseas: true },
      arrivalAt: at,
      destinationRegion: "530302001001",
      riskAreas: [],
      packs,
    });
    const stored = storedDecision(d, at, packs);
    const edited = packs.map((p) => ({ ...p, digest: `${p.digest}-edited` }));
    const changed = readDecision(stored, edited);
    assert.equal(changed.packChanged, true);
    const gone = readDecision(
      stored,
      packs.filter((p) => d.status === "no_pack" || p.pack.id !== d.pack.id),
    );
    assert.equal(gone.packMissing, true);
    assert.ok(gone.status === "decided");
    assert.deepEqual(gone.measures, d.status === "decided" ? d.measures : null);
    assert.equal(gone.explanation[0]!.source.quote, "规则包已不在平台中，原文无法显示");
  });
});
