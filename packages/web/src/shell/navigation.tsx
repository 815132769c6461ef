import {
  AlertOutlined,
  ApartmentOutlined,
  AuditOutlined,
  CarOutlined,
  ClusterOutlined,
  DashboardOutlined,
  ExperimentOutlined,
  FileProtectOutlined,
  HomeOutlined,
  MedicineBoxOutlined,
  QrcodeOutlined,
  ReadOutlined,
  ScheduleOutlined,
  SnippetsOutlined,
  SolutionOutlined,
  TeamOutlined,
  UserSwitchOutlined,
  WarningOutlined,
} from "@ant-design/icons";
import type { ReactNode } from "react";
import type { Permission } from "../accounts/session.tsx";

/** Capabilities not built yet: each has a nav label key and a one-sentence description key of the same name. */
export type PlannedCapability =
  | "testing"
  | "investigations"
  | "codes"
  | "warning"
  | "coldChain"
  | "vaccination"
  | "schools"
  | "trips"
  | "command";

type BuiltCapability =
  | "regions"
  | "people"
  | "users"
  | "audit"
  | "policies"
  | "riskAreas"
  | "assistLists"
  | "arrivals"
  | "quarantine";

interface BuiltEntry {
  built: true;
  key: BuiltCapability;
  path: string;
  icon: ReactNode;
  /** Built capabilities show only to roles with this permission. */
  permission: Permission;
}

/** Capabilities not built yet show to everyone: their page says so. */
export interface PlannedEntry {
  built: false;
  key: PlannedCapability;
  path: string;
  icon: ReactNode;
}

export type NavEntry = BuiltEntry | PlannedEntry;

export interface NavGroup {
  group: "basics" | "screening";
  entries: NavEntry[];
}

const built = (key: BuiltCapability, path: string, icon: ReactNode, permission: Permission): BuiltEntry => ({
  built: true,
  key,
  path,
  icon,
  permission,
});
const planned = (key: PlannedCapability, path: string, icon: ReactNode): PlannedEntry => ({
  built: false,
  key,
  path,
  icon,
});

/** The whole platform, in the order the side navigation shows it. */
export const NAVIGATION: (NavGroup | NavEntry)[] = [
  {
    group: "basics",
    entries: [
      built("regions", "/regions", <ApartmentOutlined />, "regions.read"),
      built("people", "/people", <TeamOutlined />, "people.read"),
      built("users", "/users", <UserSwitchOutlined />, "users.manage"),
      built("audit", "/audit", <AuditOutlined />, "audit.read"),
    ],
  },
  {
    group: "screening",
    entries: [
      built("arrivals", "/arrivals", <CarOutlined />, "people.read"),
      built("policies", "/policies", <ReadOutlined />, "regions.read"),
      built("riskAreas", "/risk-areas", <WarningOutlined />, "regions.read"),
      built("assistLists", "/assist-lists", <SolutionOutlined />, "people.read"),
      // Every role with quarantine.rooms also has quarantine.place: the one permission shows it to both.
      built("quarantine", "/quarantine", <HomeOutlined />, "quarantine.place"),
    ],
  },
  planned("testing", "/testing", <ExperimentOutlined />),
  planned("investigations", "/investigations", <ClusterOutlined />),
  planned("codes", "/codes", <QrcodeOutlined />),
  planned("warning", "/warning", <AlertOutlined />),
  planned("coldChain", "/cold-chain", <SnippetsOutlined />),
  planned("vaccination", "/vaccination", <MedicineBoxOutlined />),
  planned("schools", "/schools", <FileProtectOutlined />),
  planned("trips", "/trips", <ScheduleOutlined />),
  planned("command", "/command", <DashboardOutlined />),
];

export const PLANNED: PlannedEntry[] = NAVIGATION.flatMap((n) => ("group" in n ? n.entries : [n])).filter(
  (e): e is PlannedEntry => !e.built,
);

export function isGroup(n: NavGroup | NavEntry): n is NavGroup {
  return "group" in n;
}
