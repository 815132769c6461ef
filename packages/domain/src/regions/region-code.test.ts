import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  isWithin,
  regionLevel,
  structuralAncestors,
  structuralParent,
  subtreePrefix,
} from "./region-code.ts";

describe("GB/T 2260 region codes", () => {
  test("levels from the code", () => {
    assert.equal(regionLevel("640000"), "province");
    assert.equal(regionLevel("530300"), "city");
    assert.equal(regionLevel("530302"), "county");
    assert.equal(regionLevel("530302001"), "township");
    assert.equal(regionLevel("530302001001"), "community");
    assert.equal(regionLevel("530302001001001"), "grid");
    assert.equal(regionLevel("000000"), "country");
    assert.equal(regionLevel("5303"), null);
    assert.equal(regionLevel("53030a"), null);
    assert.equal(regionLevel("5303020010011"), null);
    assert.equal(regionLevel("530302 01"), null);
    assert.equal(regionLevel("５３０３０２"), null, "full-width digits are not a code");
  });

  test("Qilin district lies in Qujing and Yunnan, not in Ningxia", () => {
    assert.ok(isWithin("530300", "530302"));
    assert.ok(isWithin("530000", "530302001001"));
    assert.ok(isWithin("000000", "530302"));
    assert.ok(!isWithin("640000", "530302"));
    assert.ok(!isWithin("530302", "530300"), "a county does not contain its city");
    assert.ok(!isWithin("140702", "140701001"), "Yuci does not contain a neighbouring county's township");
  });

  test("prefixes and parents", () => {
    assert.equal(subtreePrefix("640000"), "64");
    assert.equal(subtreePrefix("640100"), "6401");
    assert.equal(subtreePrefix("000000"), "");
    assert.equal(structuralParent("140702"), "140700");
    assert.deepEqual(structuralAncestors("640104001001"), [
      "000000",
      "640000",
      "640100",
      "640104",
      "640104001",
      "640104001001",
    ]);
  });
});
