/** The `nat` block of a policy pack: the defaults pass the schema, and a bad number is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_NAT_POLICY, natPolicySchema } from "./policy.ts";

test("the documented defaults are a valid nat block", () => {
  assert.deepEqual(natPolicySchema.parse(DEFAULT_NAT_POLICY), DEFAULT_NAT_POLICY);
});

test("a pool size of 8, a negative Ct bound and an unknown field are refused", () => {
  const bad = structuredClone(DEFAULT_NAT_POLICY) as unknown as Record<string, Record<string, unknown>>;
  bad.pooling!.elsewhere = { kind: "pool", size: 8 };
  bad.lab!.ctMax = -1;
  bad.recall!.deadlineMinutes = 30;
  const r = natPolicySchema.safeParse(bad);
  assert.ok(!r.success);
  const paths = r.error.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("pooling.elsewhere.size") || paths.includes("pooling.elsewhere"), paths.join());
  assert.ok(paths.includes("lab.ctMax"), paths.join());
  assert.ok(paths.includes("recall"), paths.join());
});
