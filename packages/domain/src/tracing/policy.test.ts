/** The `tracing` block of a policy pack: the defaults are the notices' numbers, and a bad block is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { packSchema } from "../policies/pack-schema.ts";
import { shippedPacks } from "../policies/shipped-packs.fixture.ts";
import { DEFAULT_TRACING_POLICY, tracingPolicySchema } from "./policy.ts";

test("the documented defaults are a valid tracing block", () => {
  assert.deepEqual(tracingPolicySchema.parse(DEFAULT_TRACING_POLICY), DEFAULT_TRACING_POLICY);
});

test("the defaults are seed 000's clocks (2 h on site, 4 h judgment, 24 h closed) and its 48 h / 72 h loop", () => {
  assert.deepEqual(DEFAULT_TRACING_POLICY.investigation, {
    onSiteHours: 2,
    preliminaryHours: 4,
    closedHours: 24,
    directReportHours: 2,
  });
  assert.deepEqual(DEFAULT_TRACING_POLICY.loop, { generalHours: 48, majorHours: 72 });
  assert.equal(DEFAULT_TRACING_POLICY.lookBack.days, 2);
});

test("every close-contact rule names its source, and the vehicle rule is the protocol's 1 m", () => {
  for (const r of DEFAULT_TRACING_POLICY.closeContact.rules) assert.match(r.source, /protocols\.md/);
  const vehicle = DEFAULT_TRACING_POLICY.closeContact.rules.find((r) => r.id === "vehicle");
  assert.equal(vehicle?.maxProximity, "within_1m");
});

test("a pack may set the 4-day look-back some 2022 notices use", () => {
  const four = structuredClone(DEFAULT_TRACING_POLICY);
  four.lookBack.days = 4;
  assert.equal(tracingPolicySchema.parse(four).lookBack.days, 4);
});

test("a negative clock, an unknown setting and an unknown field are refused", () => {
  const bad = structuredClone(DEFAULT_TRACING_POLICY) as unknown as Record<string, Record<string, unknown>>;
  bad.investigation!.onSiteHours = -2;
  bad.secondary!.settings = ["household", "karaoke"];
  bad.loop!.minutes = 30;
  const r = tracingPolicySchema.safeParse(bad);
  assert.ok(!r.success);
  const paths = r.error.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("investigation.onSiteHours"), paths.join());
  assert.ok(paths.includes("secondary.settings.1"), paths.join());
  assert.ok(paths.includes("loop"), paths.join());
});

test("a duplicate rule id, a major limit shorter than the general one, and judgment after closing are refused", () => {
  const bad = structuredClone(DEFAULT_TRACING_POLICY);
  bad.closeContact.rules[1]!.id = "household";
  bad.loop = { generalHours: 72, majorHours: 48 };
  bad.investigation.preliminaryHours = 30;
  const r = tracingPolicySchema.safeParse(bad);
  assert.ok(!r.success);
  const paths = r.error.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("closeContact.rules.1.id"), paths.join());
  assert.ok(paths.includes("loop.majorHours"), paths.join());
  assert.ok(paths.includes("investigation"), paths.join());
});

test("a policy pack may carry a tracing block, checked like the rest of the pack", () => {
  const pack = structuredClone(shippedPacks()[0]!.pack);
  const withFour = {
    ...pack,
    tracing: { ...DEFAULT_TRACING_POLICY, lookBack: { days: 4, fromLastNegativeForScreening: true } },
  };
  assert.equal(packSchema.parse(withFour).tracing?.lookBack.days, 4);
  const bad = { ...pack, tracing: { ...DEFAULT_TRACING_POLICY, superSpreaderThreshold: 0 } };
  const r = packSchema.safeParse(bad);
  assert.ok(!r.success);
  assert.ok(r.error.issues.some((i) => i.path.join(".") === "tracing.superSpreaderThreshold"));
});
