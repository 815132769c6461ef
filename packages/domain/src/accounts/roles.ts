import { isWithin } from "../regions/region-code.ts";

/** Who uses Cordon. Every account has exactly one role and one jurisdiction (a region subtree). */
export type Role =
  | "administrator"
  | "command"
  | "investigator"
  | "grid_worker"
  | "quarantine_staff"
  | "lab"
  | "venue"
  | "school"
  | "cold_chain"
  | "citizen";

export const ROLES: readonly Role[] = [
  "administrator",
  "command",
  "investigator",
  "grid_worker",
  "quarantine_staff",
  "lab",
  "venue",
  "school",
  "cold_chain",
  "citizen",
];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  administrator: { zh: "系统管理员", en: "Administrator" },
  command: { zh: "指挥部", en: "Command center" },
  investigator: { zh: "流调人员", en: "Investigator" },
  grid_worker: { zh: "网格员", en: "Grid worker" },
  quarantine_staff: { zh: "隔离点工作人员", en: "Quarantine site staff" },
  lab: { zh: "检测机构", en: "Laboratory" },
  venue: { zh: "场所管理者", en: "Venue" },
  school: { zh: "学校", en: "School" },
  cold_chain: { zh: "冷链监管人员", en: "Cold-chain supervisor" },
  citizen: { zh: "居民", en: "Citizen" },
};

/**
 * What can be done. `people.pii` is reading a person's full identifiers (audited); lists show them
 * masked to anyone with `people.read`.
 */
export type Permission =
  | "people.read"
  | "people.pii"
  | "people.write"
  | "people.import"
  | "regions.read"
  | "regions.write"
  | "users.manage"
  | "audit.read"
  | "areas.write"
  | "deadlines.write"
  /** Change a quarantine room's state (free, occupied, cleaning, out of service) at a site. */
  | "quarantine.rooms"
  /**
   * Place a person at a site, record the transfer, test results and health reports, and release on
   * schedule (the course's conditions met).
   */
  | "quarantine.place"
  /** Release before the course's conditions are met, or extend a course: with a reason, audited. */
  | "quarantine.override"
  /** At a sampling desk (核酸采样点): open a tube, scan people's codes into it, seal it. */
  | "nat.sample"
  /** Send a lab's results for tubes (JSON or the lab's CSV file). */
  | "nat.lab"
  /** Register sampling points, open screening campaigns, plan a round. */
  | "nat.manage"
  /**
   * Case investigation (流调): make cases (by hand or from a positive result), record milestones and
   * exposures, classify contacts, record their verify–transfer–test–isolate steps.
   */
  | "tracing.investigate"
  /** Read cases, their investigation clocks, contacts and loops, and the escalations. */
  | "tracing.view"
  /** Register venues (场所码), print their posters, register and revoke their gate devices. */
  | "venues.manage"
  /**
   * Request or approve a health-code colour set by hand (人工赋码): one person at a time, a written
   * reason, a limited time, approved by a second user holding this permission.
   */
  | "codes.override";

const ALL: Permission[] = [
  "people.read",
  "people.pii",
  "people.write",
  "people.import",
  "regions.read",
  "regions.write",
  "users.manage",
  "audit.read",
  "areas.write",
  "deadlines.write",
  "quarantine.rooms",
  "quarantine.place",
  "quarantine.override",
  "nat.sample",
  "nat.lab",
  "nat.manage",
  "tracing.investigate",
  "tracing.view",
  "venues.manage",
  "codes.override",
];

/** The permission matrix. Citizens see only their own record, through `self` routes, not these. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  administrator: ALL,
  command: [
    "people.read",
    "people.pii",
    "people.write",
    "people.import",
    "regions.read",
    "regions.write",
    "audit.read",
    "areas.write",
    "deadlines.write",
    "quarantine.rooms",
    "quarantine.place",
    "quarantine.override",
    "nat.sample",
    "nat.lab",
    "nat.manage",
    "tracing.investigate",
    "tracing.view",
    "venues.manage",
    "codes.override",
  ],
  investigator: [
    "people.read",
    "people.pii",
    "people.write",
    "regions.read",
    "tracing.investigate",
    "tracing.view",
  ],
  // Grid workers place people in home quarantine and record their reports (居家隔离 in the community),
  // and register people at the community's sampling desks (扫码登记: scanning codes into tubes).
  grid_worker: [
    "people.read",
    "people.pii",
    "people.write",
    "people.import",
    "regions.read",
    "quarantine.place",
    "nat.sample",
    "tracing.view",
  ],
  quarantine_staff: ["people.read", "people.pii", "regions.read", "quarantine.rooms", "quarantine.place"],
  lab: ["people.read", "regions.read", "nat.lab"],
  venue: ["regions.read", "venues.manage"],
  school: ["people.read", "regions.read"],
  cold_chain: ["regions.read"],
  citizen: [],
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export interface Actor {
  userId: string;
  role: Role;
  jurisdiction: string;
  /** For citizens: the person record that is theirs. */
  personId: string | null;
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: "permission" | "jurisdiction" };

/**
 * The one access rule: the role must grant the permission, and every region the record touches must
 * lie inside the actor's jurisdiction.
 */
export function decideAccess(
  actor: Actor,
  permission: Permission,
  regionCodes: readonly string[],
): AccessDecision {
  if (!hasPermission(actor.role, permission)) return { allowed: false, reason: "permission" };
  for (const code of regionCodes) {
    if (!isWithin(actor.jurisdiction, code)) return { allowed: false, reason: "jurisdiction" };
  }
  return { allowed: true };
}
