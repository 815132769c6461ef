/** The `healthCode` block of a policy pack: the defaults pass the schema, and a bad rule is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_HEALTH_CODE_POLICY, healthCodePolicySchema, isDowngrade, worseColour } from "./policy.ts";

test("the documented defaults are a valid healthCode block", () => {
  assert.deepEqual(healthCodePolicySchema.parse(DEFAULT_HEALTH_CODE_POLICY), DEFAULT_HEALTH_CODE_POLICY);
});

test("a gate that admits red, a misspelt rule and an unknown area kind are refused", () => {
  const bad = structuredClone(DEFAULT_HEALTH_CODE_POLICY) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  bad.gate!.admit = ["green", "red"];
  bad.colours!.closeContact = { colour: "red" };
  bad.colours!.areas = { sealed: "red", lockdown: "red" };
  const r = healthCodePolicySchema.safeParse(bad);
  assert.ok(!r.success);
  const paths = r.error.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("colours"), paths.join());
  assert.ok(
    paths.some((p) => p.startsWith("colours.areas")),
    paths.join(),
  );
});

test("a routine test every 5 days with no colour is refused; Guiyang's yellow after 5 days passes", () => {
  const off = structuredClone(DEFAULT_HEALTH_CODE_POLICY);
  off.colours.routineTest = { everyDays: 5, colour: null };
  const r = healthCodePolicySchema.safeParse(off);
  assert.ok(!r.success);
  assert.deepEqual(r.error.issues[0]?.path, ["colours", "routineTest", "colour"]);
  off.colours.routineTest = { everyDays: 5, colour: "yellow" };
  assert.ok(healthCodePolicySchema.safeParse(off).success);
});

test("a red gate refusal: red is worse than yellow, and green → yellow is a downgrade, yellow → green is not", () => {
  assert.equal(worseColour("yellow", "red"), "red");
  assert.equal(worseColour("green", "grey"), "green");
  assert.ok(isDowngrade("green", "yellow"));
  assert.ok(isDowngrade("grey", "red"));
  assert.ok(isDowngrade("yellow", "red"));
  assert.ok(!isDowngrade("yellow", "green"));
  assert.ok(!isDowngrade("grey", "green"));
  assert.ok(!isDowngrade("red", "red"));
});
