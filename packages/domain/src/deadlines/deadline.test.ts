import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type DeadlineSetting, deadlineFrom, effectiveDeadline } from "./deadline.ts";

describe("deadlines a jurisdiction sets for itself", () => {
  test("追踪管控不过夜: an assist list received at 15:00 Beijing time is due at midnight the same day", () => {
    const received = new Date("2022-04-08T07:00:00Z"); // 15:00 UTC+8
    assert.equal(
      deadlineFrom({ kind: "end_of_day" }, received).toISOString(),
      "2022-04-08T16:00:00.000Z", // 00:00 UTC+8 on 04-09
    );
  });

  test("received at 23:59 Beijing time it is still due that midnight, one minute later", () => {
    const received = new Date("2022-04-08T15:59:00Z");
    assert.equal(deadlineFrom({ kind: "end_of_day" }, received).toISOString(), "2022-04-08T16:00:00.000Z");
  });

  test("an hours rule counts from receipt", () => {
    const received = new Date("2022-04-08T07:00:00Z");
    assert.equal(
      deadlineFrom({ kind: "hours", hours: 12 }, received).toISOString(),
      "2022-04-08T19:00:00.000Z",
    );
  });

  const settings = new Map<string, DeadlineSetting>([
    ["640000", { regionCode: "640000", arrivalTask: { kind: "hours", hours: 12 }, assistList: null }],
    ["640104001", { regionCode: "640104001", arrivalTask: null, assistList: { kind: "hours", hours: 6 } }],
  ]);

  test("a province's setting applies to every region below it", () => {
    assert.deepEqual(effectiveDeadline(settings, "640104001002", "arrivalTask"), {
      rule: { kind: "hours", hours: 12 },
      setBy: "640000",
    });
  });

  test("a township's own setting overrides for its subtree only", () => {
    assert.deepEqual(effectiveDeadline(settings, "640104001002", "assistList"), {
      rule: { kind: "hours", hours: 6 },
      setBy: "640104001",
    });
    assert.deepEqual(effectiveDeadline(settings, "640104002001", "assistList"), {
      rule: { kind: "end_of_day" },
      setBy: null,
    });
  });

  test("with no setting on the path, the platform default: 24 h for arrivals", () => {
    assert.deepEqual(effectiveDeadline(settings, "530302001", "arrivalTask"), {
      rule: { kind: "hours", hours: 24 },
      setBy: null,
    });
  });
});
