import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

const MAIN = join(import.meta.dirname, "main.ts");

function explain(at: string, region: string, factsFile: object) {
  const dir = mkdtempSync(join(tmpdir(), "cordon-policy-"));
  const file = join(dir, "facts.json");
  writeFileSync(file, JSON.stringify(factsFile));
  // Run from another directory: the packs are found relative to the package, not the cwd.
  const r = spawnSync(
    process.execPath,
    [MAIN, "policy", "explain", "--at", at, "--region", region, "--facts", file],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  return r;
}

describe("cordon policy explain", () => {
  test("Hulunbuir: 「8月27日以来由福建省莆田市等中高风险地区返抵我市人员」 an arrival from Fengting gets isolation and a test, explained by pack, rule and stay", () => {
    const r = explain("2021-09-14T16:00", "150702", {
      facts: { travelHistory: [{ regionCode: "350322102001", from: "2021-09-01", to: "2021-09-13" }] },
      riskAreas: [{ regionCode: "350322102", level: "medium", from: "2021-09-12", to: null }],
    });
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.status, "decided");
    assert.equal(d.pack.id, "hulunbuir-2021-09-putian");
    assert.deepEqual(d.measures.quarantine, {});
    assert.equal(d.explanation[0].ruleId, "medium-risk-since-aug-27");
    assert.match(d.explanation[0].source.quote, /8月27日以来/);
    assert.equal(d.explanation[0].matchedFacts[0].fact, "travelHistory[0]");
  });

  test("no pack in force is an explicit answer with exit code 1, and a bad facts file is refused", () => {
    const none = explain("2023-03-01", "640104", { facts: { inboundOverseas: true } });
    assert.equal(none.status, 1);
    assert.equal(JSON.parse(none.stdout).status, "no_pack");
    const bad = explain("2022-01-05", "640104", { facts: { inbound: true } });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /invalid facts file/);
  });
});
