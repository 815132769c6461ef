import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { lazy, Suspense, useEffect } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Route, Routes } from "react-router";
import { LoginPage } from "../accounts/login-page.tsx";
import { SessionProvider } from "../accounts/session.tsx";
import { AppLayout } from "./app-layout.tsx";
import { HomeRedirect } from "./home-redirect.tsx";
import { PLANNED } from "./navigation.tsx";
import { NotBuiltPage } from "./not-built-page.tsx";
import { NotFoundPage, RequireAuth, RequirePermission } from "./page-states.tsx";

// Each capability's pages load on first visit, so the login page does not pay for charts and tables.
const RegionsPage = lazy(() =>
  import("../regions/regions-page.tsx").then((m) => ({ default: m.RegionsPage })),
);
const MyRecordPage = lazy(() =>
  import("../people/my-record-page.tsx").then((m) => ({ default: m.MyRecordPage })),
);
const PeoplePage = lazy(() => import("../people/people-page.tsx").then((m) => ({ default: m.PeoplePage })));
const PersonDetailPage = lazy(() =>
  import("../people/person-detail-page.tsx").then((m) => ({ default: m.PersonDetailPage })),
);
const PersonFormPage = lazy(() =>
  import("../people/person-form-page.tsx").then((m) => ({ default: m.PersonFormPage })),
);
const UsersPage = lazy(() => import("../accounts/users-page.tsx").then((m) => ({ default: m.UsersPage })));
const PoliciesPage = lazy(() =>
  import("../policies/policies-page.tsx").then((m) => ({ default: m.PoliciesPage })),
);
const PolicyPackPage = lazy(() =>
  import("../policies/policy-pack-page.tsx").then((m) => ({ default: m.PolicyPackPage })),
);
const RiskAreasPage = lazy(() =>
  import("../zones/risk-areas-page.tsx").then((m) => ({ default: m.RiskAreasPage })),
);
const AuditPage = lazy(() => import("../audit/audit-page.tsx").then((m) => ({ default: m.AuditPage })));
const ArrivalsPage = lazy(() =>
  import("../arrivals/arrivals-page.tsx").then((m) => ({ default: m.ArrivalsPage })),
);
const SelfReportPage = lazy(() =>
  import("../arrivals/self-report-page.tsx").then((m) => ({ default: m.SelfReportPage })),
);
const AssistListsPage = lazy(() =>
  import("../assist/assist-lists-page.tsx").then((m) => ({ default: m.AssistListsPage })),
);
const AssistListPage = lazy(() =>
  import("../assist/assist-list-page.tsx").then((m) => ({ default: m.AssistListPage })),
);
const QuarantinePage = lazy(() =>
  import("../quarantine/quarantine-page.tsx").then((m) => ({ default: m.QuarantinePage })),
);
const QuarantineSitePage = lazy(() =>
  import("../quarantine/site-page.tsx").then((m) => ({ default: m.SitePage })),
);
const PlacementPage = lazy(() =>
  import("../quarantine/placement-page.tsx").then((m) => ({ default: m.PlacementPage })),
);
const NatCampaignsPage = lazy(() =>
  import("../nat/campaigns-page.tsx").then((m) => ({ default: m.CampaignsPage })),
);
const NatCampaignBoardPage = lazy(() =>
  import("../nat/campaign-board-page.tsx").then((m) => ({ default: m.CampaignBoardPage })),
);
const NatSamplerPage = lazy(() =>
  import("../nat/sampler-page.tsx").then((m) => ({ default: m.SamplerPage })),
);
const NatLabResultsPage = lazy(() =>
  import("../nat/lab-results-page.tsx").then((m) => ({ default: m.LabResultsPage })),
);
const NatPlannerPage = lazy(() =>
  import("../nat/planner-page.tsx").then((m) => ({ default: m.PlannerPage })),
);
const TracingCasesPage = lazy(() =>
  import("../tracing/cases-page.tsx").then((m) => ({ default: m.TracingCasesPage })),
);
const TracingCasePage = lazy(() =>
  import("../tracing/case-page.tsx").then((m) => ({ default: m.TracingCasePage })),
);
const TracingChainsPage = lazy(() =>
  import("../tracing/chains-page.tsx").then((m) => ({ default: m.TracingChainsPage })),
);
const ClusterGraphPage = lazy(() =>
  import("../tracing/cluster-graph.tsx").then((m) => ({ default: m.ClusterGraphPage })),
);
const HealthPage = lazy(() => import("../me/health-page.tsx").then((m) => ({ default: m.HealthPage })));
const VerifyPage = lazy(() => import("../verify/verify-page.tsx").then((m) => ({ default: m.VerifyPage })));
const ScanPage = lazy(() => import("../scan/scan-page.tsx").then((m) => ({ default: m.ScanPage })));
const GatePage = lazy(() => import("../scan/gate-page.tsx").then((m) => ({ default: m.GatePage })));
const MyCodePage = lazy(() => import("../codes/my-code-page.tsx").then((m) => ({ default: m.MyCodePage })));
const VenuesPage = lazy(() => import("../venues/venues-page.tsx").then((m) => ({ default: m.VenuesPage })));
const CheckinPage = lazy(() =>
  import("../venues/checkin-page.tsx").then((m) => ({ default: m.CheckinPage })),
);
const OverridesPage = lazy(() =>
  import("../codes/overrides-page.tsx").then((m) => ({ default: m.OverridesPage })),
);

const FONT_FAMILY =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', " +
  "'Noto Sans CJK SC', 'Noto Sans SC', 'Helvetica Neue', Arial, sans-serif";

/**
 * The user's system asks for less motion (an accessibility setting): dialogs, drawers and messages
 * appear without zooming or sliding. (A click aimed at a dialog's button while it zooms in can miss it.)
 */
const REDUCED_MOTION =
  typeof window !== "undefined" && window.matchMedia?.("(prefers-reduced-motion: reduce)").matches === true;

export function CordonApp() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === "en";

  useEffect(() => {
    dayjs.locale(en ? "en" : "zh-cn");
    document.title = t("app.name");
  }, [en, t]);

  return (
    <ConfigProvider
      locale={en ? enUS : zhCN}
      theme={{ token: { fontFamily: FONT_FAMILY, motion: !REDUCED_MOTION } }}
    >
      <AntApp>
        <SessionProvider>
          <BrowserRouter>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route
                path="/verify/:certificateId"
                element={
                  <Suspense fallback={null}>
                    <VerifyPage />
                  </Suspense>
                }
              />
              <Route
                path="/scan"
                element={
                  <Suspense fallback={null}>
                    <ScanPage />
                  </Suspense>
                }
              />
              <Route
                path="/gate"
                element={
                  <Suspense fallback={null}>
                    <GatePage />
                  </Suspense>
                }
              />
              <Route
                path="/checkin"
                element={
                  <RequireAuth>
                    <Suspense fallback={null}>
                      <CheckinPage />
                    </Suspense>
                  </RequireAuth>
                }
              />
              <Route
                element={
                  <RequireAuth>
                    <AppLayout />
                  </RequireAuth>
                }
              >
                <Route index element={<HomeRedirect />} />
                <Route path="me" element={<MyRecordPage />} />
                <Route path="me/arrival" element={<SelfReportPage />} />
                <Route path="me/health" element={<HealthPage />} />
                <Route path="me/code" element={<MyCodePage />} />
                <Route
                  path="venues"
                  element={
                    <RequirePermission permission="venues.manage">
                      <VenuesPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="codes"
                  element={
                    <RequirePermission permission="codes.override">
                      <OverridesPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="quarantine"
                  element={
                    <RequirePermission permission="quarantine.place">
                      <QuarantinePage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="quarantine/sites/:id"
                  element={
                    <RequirePermission permission="quarantine.place">
                      <QuarantineSitePage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="quarantine/placements/:id"
                  element={
                    <RequirePermission permission="quarantine.place">
                      <PlacementPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="nat/campaigns"
                  element={
                    <RequirePermission permission="regions.read">
                      <NatCampaignsPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="nat/campaigns/:id"
                  element={
                    <RequirePermission permission="regions.read">
                      <NatCampaignBoardPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="nat/sample"
                  element={
                    <RequirePermission permission="nat.sample">
                      <NatSamplerPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="nat/lab-results"
                  element={
                    <RequirePermission permission="nat.lab">
                      <NatLabResultsPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="nat/plan"
                  element={
                    <RequirePermission permission="nat.manage">
                      <NatPlannerPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="arrivals"
                  element={
                    <RequirePermission permission="people.read">
                      <ArrivalsPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="regions/:code?"
                  element={
                    <RequirePermission permission="regions.read">
                      <RegionsPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="people"
                  element={
                    <RequirePermission permission="people.read">
                      <PeoplePage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="people/new"
                  element={
                    <RequirePermission permission="people.write">
                      <PersonFormPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="people/:id"
                  element={
                    <RequirePermission permission="people.pii">
                      <PersonDetailPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="people/:id/edit"
                  element={
                    <RequirePermission permission="people.write">
                      <PersonFormPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="users"
                  element={
                    <RequirePermission permission="users.manage">
                      <UsersPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="audit"
                  element={
                    <RequirePermission permission="audit.read">
                      <AuditPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="policies"
                  element={
                    <RequirePermission permission="regions.read">
                      <PoliciesPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="policies/:id"
                  element={
                    <RequirePermission permission="regions.read">
                      <PolicyPackPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="risk-areas"
                  element={
                    <RequirePermission permission="regions.read">
                      <RiskAreasPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="assist-lists"
                  element={
                    <RequirePermission permission="people.read">
                      <AssistListsPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="assist-lists/:id"
                  element={
                    <RequirePermission permission="people.read">
                      <AssistListPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="tracing"
                  element={
                    <RequirePermission permission="tracing.view">
                      <TracingCasesPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="tracing/cases/:id"
                  element={
                    <RequirePermission permission="tracing.view">
                      <TracingCasePage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="tracing/chains"
                  element={
                    <RequirePermission permission="tracing.view">
                      <TracingChainsPage />
                    </RequirePermission>
                  }
                />
                <Route
                  path="tracing/chains/:clusterId"
                  element={
                    <RequirePermission permission="tracing.view">
                      <ClusterGraphPage />
                    </RequirePermission>
                  }
                />
                {PLANNED.map((e) => (
                  <Route key={e.key} path={e.path.slice(1)} element={<NotBuiltPage capability={e.key} />} />
                ))}
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}
