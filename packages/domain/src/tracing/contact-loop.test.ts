import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkLoopStep, type LoopTimes, loopStatus, loopSummary, nextStep } from "./contact-loop.ts";
import { DEFAULT_TRACING_POLICY } from "./policy.ts";

// Case confirmed on day 0, 2022-04-05 08:00 Beijing time.
const confirmedAt = new Date("2022-04-05T08:00:00+08:00");
const h = (hours: number) => new Date(confirmedAt.getTime() + hours * 3_600_000);
const loop = (isolateHour: number): LoopTimes => ({
  verify: h(isolateHour - 6),
  transfer: h(isolateHour - 4),
  test: h(isolateHour - 2),
  isolate: h(isolateHour),
});
const general = { now: h(60), major: false };
const status = (times: LoopTimes, options = general) =>
  loopStatus({ personId: "B", times }, confirmedAt, DEFAULT_TRACING_POLICY, options);

describe("核一个、转一个、检一个、隔一个: the four steps in order", () => {
  const now = h(10);

  test("a contact is verified first, then transferred, tested and isolated", () => {
    assert.equal(nextStep({}), "verify");
    assert.equal(nextStep({ verify: h(1), transfer: h(2) }), "test");
    assert.equal(nextStep(loop(8)), null);
    assert.deepEqual(checkLoopStep({ verify: h(1) }, "transfer", h(2), now), []);
  });

  test("a contact cannot be transferred before being verified", () => {
    assert.deepEqual(
      checkLoopStep({}, "transfer", h(2), now).map((e) => e.code),
      ["loop.out_of_order"],
    );
  });

  test("a test recorded before the transfer's time is refused", () => {
    const e = checkLoopStep({ verify: h(1), transfer: h(3) }, "test", h(2), now);
    assert.deepEqual(
      e.map((x) => x.code),
      ["loop.before_previous"],
    );
    assert.match(e[0]!.message.zh, /早于转（转运至隔离场所）时间/);
  });

  test("an isolation in the future, or recorded twice, is refused", () => {
    assert.deepEqual(
      checkLoopStep({ verify: h(1), transfer: h(2), test: h(3) }, "isolate", h(11), now).map((e) => e.code),
      ["loop.future_time"],
    );
    assert.deepEqual(
      checkLoopStep({ verify: h(1) }, "verify", h(2), now).map((e) => e.code),
      ["loop.already_done"],
    );
  });
});

describe("the loop time (seed 000: 一般疫情48小时、重大疫情72小时实现隔离管控闭环)", () => {
  test("a close contact of a case confirmed on day 0 isolated by hour 48 is on time", () => {
    const s = status(loop(48));
    assert.equal(s.state, "on_time");
    assert.equal(s.loopMs, 48 * 3_600_000);
  });

  test("isolated at hour 50 is 2 hours late in a general outbreak, on time in a major one (72 h)", () => {
    const late = status(loop(50));
    assert.equal(late.state, "late");
    assert.equal(late.lateByMs, 2 * 3_600_000);
    assert.equal(status(loop(50), { ...general, major: true }).state, "on_time");
  });

  test("a contact still waiting for a test at hour 60 is overdue by 12 hours; at hour 30 the countdown shows 18 hours", () => {
    const waiting = { verify: h(5), transfer: h(20) };
    const overdue = status(waiting);
    assert.equal(overdue.state, "overdue");
    assert.equal(overdue.nextStep, "test");
    assert.equal(overdue.lateByMs, 12 * 3_600_000);
    const open = status(waiting, { ...general, now: h(30) });
    assert.equal(open.state, "open");
    assert.equal(open.remainingMs, 18 * 3_600_000);
  });

  test("a suspected case's contacts have no loop clock yet", () => {
    const s = loopStatus({ personId: "B", times: {} }, null, DEFAULT_TRACING_POLICY, general);
    assert.equal(s.state, "not_started");
    assert.equal(s.dueAt, null);
  });

  test("a contact isolated before the case was confirmed counts 0 hours", () => {
    assert.equal(status(loop(-3)).loopMs, 0);
  });
});

describe("a case's loop summary", () => {
  const contacts = [
    { personId: "B", times: loop(20) },
    { personId: "C", times: loop(50) },
    { personId: "D", times: { verify: h(2) } },
    { personId: "E", times: {} },
  ];

  test("counts by state and step, the overdue contacts, the slowest isolation, and no closure while some are open", () => {
    const s = loopSummary(contacts, confirmedAt, DEFAULT_TRACING_POLICY, general);
    assert.equal(s.contacts, 4);
    assert.deepEqual(s.byState, { not_started: 0, on_time: 1, late: 1, open: 0, overdue: 2 });
    assert.deepEqual(s.atStep, { verify: 1, transfer: 1, test: 0, isolate: 0 });
    assert.deepEqual(s.overdue, ["D", "E"]);
    assert.deepEqual(s.slowest, { personId: "C", loopMs: 50 * 3_600_000, state: "late" });
    assert.equal(s.closed, null);
  });

  test("the loop closes when the last contact is isolated: at hour 50 that misses 48 h, meets 72 h", () => {
    const all = contacts.slice(0, 2);
    const g = loopSummary(all, confirmedAt, DEFAULT_TRACING_POLICY, general).closed!;
    assert.equal(g.at.toISOString(), h(50).toISOString());
    assert.equal(g.withinLimit, false);
    assert.equal(
      loopSummary(all, confirmedAt, DEFAULT_TRACING_POLICY, { ...general, major: true }).closed!.withinLimit,
      true,
    );
  });
});
