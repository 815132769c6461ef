import type { TaskStatus } from "@cordon/domain/arrivals/control-task";

export const STATUS_COLORS: Record<TaskStatus, string> = {
  pending: "default",
  verify: "blue",
  transfer: "cyan",
  test: "purple",
  control: "orange",
  released: "green",
};
