import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkMilestone,
  escalations,
  investigationClocks,
  type InvestigationTimes,
} from "./investigation.ts";
import { DEFAULT_TRACING_POLICY } from "./policy.ts";

const reportedAt = new Date("2022-04-05T08:00:00+08:00");
const at = (hhmm: string, day = "2022-04-05") => new Date(`${day}T${hhmm}:00+08:00`);
const clock = (times: InvestigationTimes, now: Date, m: string) =>
  investigationClocks(times, DEFAULT_TRACING_POLICY, now).find((c) => c.milestone === m)!;

describe("investigation clocks (seed 000: 2小时到达现场，4小时初步完成流调判断，24小时实现流调闭环)", () => {
  test("the clocks fall due 2 h, 2 h, 4 h and 24 h after the report", () => {
    const clocks = investigationClocks({ reportedAt, done: {} }, DEFAULT_TRACING_POLICY, at("08:30"));
    assert.deepEqual(
      clocks.map((c) => [c.milestone, c.dueAt.toISOString()]),
      [
        ["directReport", "2022-04-05T02:00:00.000Z"],
        ["onSite", "2022-04-05T02:00:00.000Z"],
        ["preliminary", "2022-04-05T04:00:00.000Z"],
        ["closed", "2022-04-06T00:00:00.000Z"],
      ],
    );
    assert.ok(clocks.every((c) => c.state === "pending"));
  });

  test("half an hour after the report, the on-site countdown shows 1.5 h left", () => {
    const c = clock({ reportedAt, done: {} }, at("08:30"), "onSite");
    assert.equal(c.remainingMs, 1.5 * 3_600_000);
    assert.equal(c.lateByMs, null);
  });

  test("an investigator on site more than 2 hours after the report is late (seed 000: 2小时内到达现场)", () => {
    const c = clock({ reportedAt, done: { onSite: at("10:05") } }, at("12:00"), "onSite");
    assert.equal(c.state, "done_late");
    assert.equal(c.lateByMs, 5 * 60_000);
  });

  test("on site at exactly 2 hours is on time", () => {
    assert.equal(
      clock({ reportedAt, done: { onSite: at("10:00") } }, at("12:00"), "onSite").state,
      "done_on_time",
    );
  });

  test("a preliminary judgment not made 4 hours after the report is overdue and raised to the command", () => {
    const times = { reportedAt, done: { directReport: at("09:00"), onSite: at("09:30") } };
    const clocks = investigationClocks(times, DEFAULT_TRACING_POLICY, at("13:00"));
    assert.equal(clocks.find((c) => c.milestone === "preliminary")!.state, "overdue");
    const e = escalations(clocks);
    assert.deepEqual(
      e.map((x) => [x.milestone, x.overdueByMs, x.to]),
      [["preliminary", 3_600_000, "command"]],
    );
    assert.match(e[0]!.message.zh, /初步完成流调判断超时 1 小时（时限 4 小时），已上报指挥部/);
  });

  test("a day and a half without closing: every open clock escalates, the most overdue first", () => {
    const e = escalations(
      investigationClocks({ reportedAt, done: {} }, DEFAULT_TRACING_POLICY, at("20:00", "2022-04-06")),
    );
    assert.deepEqual(
      e.map((x) => x.milestone),
      ["directReport", "onSite", "preliminary", "closed"],
    );
  });

  test("a pack's longer on-site limit moves the due time", () => {
    const policy = {
      ...DEFAULT_TRACING_POLICY,
      investigation: { ...DEFAULT_TRACING_POLICY.investigation, onSiteHours: 3 },
    };
    const c = investigationClocks({ reportedAt, done: { onSite: at("10:30") } }, policy, at("12:00"))[1]!;
    assert.equal(c.state, "done_on_time");
  });
});

describe("recording a milestone", () => {
  const now = at("12:00");

  test("on site after the report, not in the future, is accepted", () => {
    assert.deepEqual(checkMilestone({ reportedAt, done: {} }, "onSite", at("09:00"), now), []);
  });

  test("before the report, in the future, or twice is refused", () => {
    const codes = (t: InvestigationTimes, when: Date) =>
      checkMilestone(t, "onSite", when, now).map((e) => e.code);
    assert.deepEqual(codes({ reportedAt, done: {} }, at("07:00")), ["investigation.before_report"]);
    assert.deepEqual(codes({ reportedAt, done: {} }, at("13:00")), ["investigation.future_time"]);
    assert.deepEqual(codes({ reportedAt, done: { onSite: at("09:00") } }, at("10:00")), [
      "investigation.already_done",
    ]);
  });

  test("the investigation cannot close before a preliminary judgment, nor judge before being on site", () => {
    assert.deepEqual(
      checkMilestone({ reportedAt, done: { onSite: at("09:00") } }, "closed", at("11:00"), now).map(
        (e) => e.code,
      ),
      ["investigation.out_of_order"],
    );
    assert.deepEqual(
      checkMilestone({ reportedAt, done: { onSite: at("10:00") } }, "preliminary", at("09:30"), now).map(
        (e) => e.code,
      ),
      ["investigation.before_previous"],
    );
  });
});
