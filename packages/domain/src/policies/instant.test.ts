import assert from "node:assert/strict";
import { test } from "node:test";
import { parseInstant } from "./pack-schema.ts";

test("dates and offset-less times are Beijing time; a time with Z or an offset is that instant", () => {
  assert.equal(parseInstant("2022-04-10"), Date.parse("2022-04-10T00:00:00+08:00"));
  assert.equal(parseInstant("2022-04-10T09:30"), Date.parse("2022-04-10T01:30:00Z"));
  assert.equal(parseInstant("2022-04-10T09:30:00Z"), Date.parse("2022-04-10T09:30:00Z"));
  assert.equal(parseInstant("2022-04-10T09:30:00.250-05:00"), Date.parse("2022-04-10T14:30:00.250Z"));
});

test("a day the month does not have is not a date (not rolled over into the next month)", () => {
  for (const s of ["2022-02-30", "2022-02-29T10:00:00Z", "2021-04-31T08:00", "2022-13-01", "2022-00-10"])
    assert.equal(parseInstant(s), null, s);
  assert.equal(parseInstant("2020-02-29T10:00:00Z"), Date.parse("2020-02-29T10:00:00Z"));
});

test("anything else is not a date", () => {
  for (const s of ["yesterday", "2022/04/10", "2022-04-10 09:00", "2022-04-10T9:00", ""])
    assert.equal(parseInstant(s), null, JSON.stringify(s));
});
