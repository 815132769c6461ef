import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { endOfShanghaiDay } from "../shared/shanghai-time.ts";
import { advance, type ControlTask, dueAt, isOverdue, newTask } from "./control-task.ts";

const t = (s: string) => new Date(`${s}+08:00`);

function take(
  task: ControlTask,
  step: Parameters<typeof advance>[1],
  at: string,
  by = "grid-1",
): ControlTask {
  const r = advance(task, step, t(at), by);
  if (!r.ok) throw new Error(r.errors[0]!.message.en);
  return r.value;
}

describe("arrival control task: 核 → 转 → 检 → 隔 → 解除", () => {
  test("an overseas arrival registered 2020-12-25 10:00 is due within 24 hours", () => {
    const task = newTask(t("2020-12-25T10:00:00"));
    assert.equal(task.status, "pending");
    assert.deepEqual(task.dueAt, t("2020-12-26T10:00:00"));
    assert.deepEqual(dueAt(t("2020-12-25T10:00:00"), 12), t("2020-12-25T22:00:00"));
  });

  test("追踪管控不过夜: a list received at 15:00 is due before midnight Beijing time", () => {
    assert.deepEqual(endOfShanghaiDay(t("2022-04-08T15:00:00")), t("2022-04-09T00:00:00"));
    assert.deepEqual(endOfShanghaiDay(t("2022-04-08T00:30:00")), t("2022-04-09T00:00:00"));
    assert.deepEqual(endOfShanghaiDay(t("2022-04-08T23:59:00")), t("2022-04-09T00:00:00"));
  });

  test("each step is timestamped and attributed, in order, until released", () => {
    let task = newTask(t("2020-12-25T10:00:00"));
    task = take(task, "verify", "2020-12-25T10:30:00");
    task = take(task, "transfer", "2020-12-25T12:00:00", "driver-2");
    task = take(task, "test", "2020-12-25T13:00:00");
    task = take(task, "control", "2020-12-25T14:00:00");
    task = take(task, "released", "2021-01-08T14:00:00");
    assert.equal(task.status, "released");
    assert.deepEqual(
      task.steps.map((s) => [s.step, s.by]),
      [
        ["verify", "grid-1"],
        ["transfer", "driver-2"],
        ["test", "grid-1"],
        ["control", "grid-1"],
        ["released", "grid-1"],
      ],
    );
    const again = advance(task, "released", t("2021-01-09T00:00:00"), "x");
    assert.equal(again.ok, false);
  });

  test("skipping transfer (核 → 检) is refused with a bilingual reason; so is going back", () => {
    const verified = take(newTask(t("2020-12-25T10:00:00")), "verify", "2020-12-25T10:30:00");
    const skip = advance(verified, "test", t("2020-12-25T11:00:00"), "grid-1");
    assert.equal(skip.ok, false);
    if (!skip.ok) {
      assert.equal(skip.errors[0]!.code, "task.step_skipped");
      assert.match(skip.errors[0]!.message.zh, /不能跳过/);
      assert.match(skip.errors[0]!.message.en, /skip/);
    }
    const back = advance(verified, "verify", t("2020-12-25T11:00:00"), "grid-1");
    assert.equal(back.ok, false);
    if (!back.ok) assert.equal(back.errors[0]!.code, "task.step_backward");
    const early = advance(verified, "transfer", t("2020-12-25T10:00:00"), "grid-1");
    assert.equal(early.ok, false);
  });

  test("a task not under control by its due time is overdue; one under control is not", () => {
    const task = newTask(t("2020-12-25T10:00:00"));
    assert.equal(isOverdue(task, t("2020-12-26T09:59:00")), false);
    assert.equal(isOverdue(task, t("2020-12-26T10:01:00")), true);
    let controlled = take(task, "verify", "2020-12-25T11:00:00");
    controlled = take(controlled, "transfer", "2020-12-25T12:00:00");
    assert.equal(isOverdue(controlled, t("2020-12-27T00:00:00")), true, "transferred is not yet controlled");
    controlled = take(controlled, "test", "2020-12-25T13:00:00");
    controlled = take(controlled, "control", "2020-12-25T14:00:00");
    assert.equal(isOverdue(controlled, t("2020-12-27T00:00:00")), false);
  });
});
