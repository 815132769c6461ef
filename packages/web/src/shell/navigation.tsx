import {
  AlertOutlined,
  ApartmentOutlined,
  AuditOutlined,
  CalculatorOutlined,
  CarOutlined,
  ClusterOutlined,
  DashboardOutlined,
  ExperimentOutlined,
  FileProtectOutlined,
  FileSearchOutlined,
  HomeOutlined,
  MedicineBoxOutlined,
  NodeIndexOutlined,
  QrcodeOutlined,
  ReadOutlined,
  ScanOutlined,
  ScheduleOutlined,
  ShopOutlined,
  SnippetsOutlined,
  SolutionOutlined,
  TeamOutlined,
  UserSwitchOutlined,
  WarningOutlined,
} from "@ant-design/icons";
import type { ReactNode } from "react";
import type { Permission } from "../accounts/session.tsx";

/** Capabilities not built yet: each has a nav label key and a one-sentence description key of the same name. */
export type PlannedCapability = "warning" | "coldChain" | "vaccination" | "schools" | "trips" | "command";

type BuiltCapability =
  | "regions"
  | "people"
  | "users"
  | "audit"
  | "policies"
  | "riskAreas"
  | "assistLists"
  | "arrivals"
  | "quarantine"
  | "natCampaigns"
  | "natSample"
  | "natLab"
  | "natPlan"
  | "investigations"
  | "transmissionChains"
  | "codes"
  | "venues";

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
      // Nucleic acid testing: the campaigns for the desks and the command (who opens them), the desk
      // for samplers, the result import for labs, the planner for the command.
      built("natCampaigns", "/nat/campaigns", <ExperimentOutlined />, "nat.sample"),
      built("natSample", "/nat/sample", <ScanOutlined />, "nat.sample"),
      built("natLab", "/nat/lab-results", <FileSearchOutlined />, "nat.lab"),
      built("natPlan", "/nat/plan", <CalculatorOutlined />, "nat.manage"),
    ],
  },
  // Case investigation and contact tracing: the cases with their clocks, the contacts' loops.
  built("investigations", "/tracing", <ClusterOutlined />, "tracing.view"),
  // Transmission chains: the analysis of the jurisdiction's cases, its clusters and each one's graph.
  built("transmissionChains", "/tracing/chains", <NodeIndexOutlined />, "tracing.view"),
  // Health codes: the overrides report (人工赋码), where a second user approves a colour set by hand.
  built("codes", "/codes", <QrcodeOutlined />, "codes.override"),
  // Venues (场所码): their posters and gate devices, for venue managers and the command.
  built("venues", "/venues", <ShopOutlined />, "venues.manage"),
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
