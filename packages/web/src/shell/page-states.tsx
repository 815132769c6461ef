import { Button, Result, Spin } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation } from "react-router";
import { type Permission, useMe, useSession } from "../accounts/session.tsx";
import { ApiError } from "../api/client.ts";
import { errorText } from "../api/errors.ts";

export function PageLoading() {
  const { t } = useTranslation();
  return (
    <div style={{ display: "flex", justifyContent: "center", padding: 64 }}>
      <Spin description={t("app.loading")} />
    </div>
  );
}

/** A page whose data could not be loaded: the server's reason, and a retry. */
export function PageError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : 0;
  return (
    <Result
      data-testid="page-error"
      status={status === 403 ? "403" : status === 404 ? "404" : "warning"}
      title={status === 403 ? t("errors.forbiddenTitle") : t("errors.loadFailed")}
      subTitle={errorText(t, error)}
      extra={onRetry ? <Button onClick={onRetry}>{t("common.reload")}</Button> : null}
    />
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return <Result status="404" title={t("errors.notFoundTitle")} subTitle={t("errors.notFound")} />;
}

/** Pages behind the login: until the session is known, wait; without one, go to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (session.status === "loading") return <PageLoading />;
  if (session.status === "anonymous") {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}

export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { t } = useTranslation();
  const { can } = useMe();
  if (!can(permission)) {
    return (
      <Result
        data-testid="forbidden"
        status="403"
        title={t("errors.forbiddenTitle")}
        subTitle={t("errors.forbidden")}
      />
    );
  }
  return children;
}
