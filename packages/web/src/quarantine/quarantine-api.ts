import { api, unwrap } from "../api/client.ts";
import type { components, paths } from "../api/schema.d.ts";
import { currentLang } from "../i18n/i18n.ts";

type Schemas = components["schemas"];

export type Site = Schemas["QuarantineSite"];
export type SiteDetail = Schemas["QuarantineSiteDetail"];
export type Room = Schemas["QuarantineRoom"];
export type RoomState = Room["state"];
export type CountyCapacity = Schemas["QuarantineCountyCapacity"];
export type PersonFacts = Schemas["PersonFacts"];
export type PlacementSummary = Schemas["QuarantinePlacementSummary"];
export type PlacementDetail = Schemas["QuarantinePlacementDetail"];
export type TestResultRow = Schemas["QuarantineTestResult"];
export type SampleKind = TestResultRow["sample"];
export type Outcome = TestResultRow["outcome"];
export type BoardRoom = Schemas["QuarantineBoard"]["rooms"][number];
export type SiteDay = Schemas["QuarantineSiteDay"];
export type RegionDaySite = Schemas["QuarantineRegionDay"]["sites"][number];
export type DayTest = SiteDay["dueTests"][number];
export type SiteAlerts = Schemas["QuarantineSiteAlerts"];
export type HealthAlert = Schemas["HealthAlert"];
export type MyPlacement = Schemas["MyPlacement"];
export type Certificate = Schemas["CertificateVerification"];
export type PlaceBody = NonNullable<
  paths["/api/quarantine/placements"]["post"]["requestBody"]
>["content"]["application/json"];

/** A health report as the placement lists it (its alerts typed: the detail's schema leaves them open). */
export interface HealthReportRow {
  id: string;
  reportedAt: string;
  temperatureC: number;
  symptoms: string[];
  reportedBy: "staff" | "self";
  alerts: HealthAlert[];
}

function isAlert(a: unknown): a is HealthAlert {
  return typeof a === "object" && a !== null && "kind" in a && "message" in a;
}

/** The placement's health reports with their stored alerts (a list of HealthAlert, as H2's service writes). */
export function reportsOf(p: PlacementDetail): HealthReportRow[] {
  return p.healthReports.map((h) => ({
    ...h,
    alerts: Array.isArray(h.alerts) ? h.alerts.filter(isAlert) : [],
  }));
}

const lang = () => currentLang();

export const quarantineApi = {
  capacity: () => unwrap(api.GET("/api/quarantine/capacity", { params: { query: { lang: lang() } } })),
  sites: () => unwrap(api.GET("/api/quarantine/sites", { params: { query: { lang: lang() } } })),
  /** The morning report: every site's tests due, missed and people releasable today. */
  regionToday: () => unwrap(api.GET("/api/quarantine/today", { params: { query: { lang: lang() } } })),
  site: (id: string) =>
    unwrap(api.GET("/api/quarantine/sites/{id}", { params: { path: { id }, query: { lang: lang() } } })),
  roomState: (siteId: string, roomId: string, to: RoomState, reason?: string) =>
    unwrap(
      api.POST("/api/quarantine/sites/{id}/rooms/{roomId}/state", {
        params: { path: { id: siteId, roomId } },
        body: { to, reason: reason ?? null },
      }),
    ),
  board: (id: string) =>
    unwrap(
      api.GET("/api/quarantine/sites/{id}/board", { params: { path: { id }, query: { lang: lang() } } }),
    ),
  today: (id: string, date?: string) =>
    unwrap(
      api.GET("/api/quarantine/sites/{id}/today", {
        params: { path: { id }, query: { date, lang: lang() } },
      }),
    ),
  alerts: (id: string, date?: string) =>
    unwrap(
      api.GET("/api/quarantine/sites/{id}/alerts", {
        params: { path: { id }, query: { date, lang: lang() } },
      }),
    ),
  suggestions: (siteId: string, people: number) =>
    unwrap(api.GET("/api/quarantine/suggestions", { params: { query: { siteId, people, lang: lang() } } })),
  placements: (siteId: string, status?: "placed" | "released") =>
    unwrap(api.GET("/api/quarantine/placements", { params: { query: { siteId, status, lang: lang() } } })),
  placement: (id: string) =>
    unwrap(api.GET("/api/quarantine/placements/{id}", { params: { path: { id }, query: { lang: lang() } } })),
  place: (body: PlaceBody) => unwrap(api.POST("/api/quarantine/placements", { body })),
  transfer: (
    id: string,
    body: { vehicle: string; escort: string; pickedUpAt: string; arrivedAt?: string | null },
  ) => unwrap(api.PUT("/api/quarantine/placements/{id}/transfer", { params: { path: { id } }, body })),
  result: (
    id: string,
    body: { sampledOn: string; sample: SampleKind; outcome: Outcome; labReference: string },
  ) => unwrap(api.POST("/api/quarantine/placements/{id}/results", { params: { path: { id } }, body })),
  healthReport: (id: string, body: { temperatureC: number; symptoms: string[]; at?: string }) =>
    unwrap(api.POST("/api/quarantine/placements/{id}/health-reports", { params: { path: { id } }, body })),
  release: (id: string, body: { kind: "on_schedule" | "early"; reason?: string | null }) =>
    unwrap(api.POST("/api/quarantine/placements/{id}/release", { params: { path: { id } }, body })),
  toHospital: (id: string, body: { hospitalSiteId: string; reason?: string | null }) =>
    unwrap(api.POST("/api/quarantine/placements/{id}/to-hospital", { params: { path: { id } }, body })),
  upgrade: (id: string, body: { lastExposureAt: string; reason: string }) =>
    unwrap(api.POST("/api/quarantine/placements/{id}/upgrade", { params: { path: { id } }, body })),
  certificateUrl: (id: string) => `/api/quarantine/placements/${encodeURIComponent(id)}/certificate.pdf`,
  myPlacement: () => unwrap(api.GET("/api/me/placement")),
  myReport: (body: { temperatureC: number; symptoms: string[] }) =>
    unwrap(api.POST("/api/me/health-reports", { body })),
  certificate: (certificateId: string) =>
    unwrap(
      api.GET("/api/public/certificates/{certificateId}", {
        params: { path: { certificateId }, query: { lang: lang() } },
      }),
    ),
};
