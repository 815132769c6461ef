import { LockOutlined, SafetyCertificateOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { errorText } from "../api/errors.ts";
import { LanguageSwitch } from "../shell/language-switch.tsx";
import { useInstallation } from "../shell/installation.ts";
import { PageLoading } from "../shell/page-states.tsx";
import { useSession } from "./session.tsx";

interface LoginForm {
  username: string;
  password: string;
}

/** Only same-site paths are followed after login, so a crafted link cannot send the user elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  const { t } = useTranslation();
  const { session, login } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { demo } = useInstallation();

  if (session.status === "loading") return <PageLoading />;
  if (session.status === "authenticated" && !busy)
    return <Navigate to={safeNext(params.get("next"))} replace />;

  const onFinish = async (v: LoginForm) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.username.trim(), v.password);
      navigate(safeNext(params.get("next")), { replace: true });
    } catch (e) {
      // Wrong password, locked account, disabled account: the server says which, in the UI language.
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{
        minHeight: "100vh",
        display: "flex",
        flexDirection: "column",
        alignItems: "center",
        justifyContent: "center",
        background: "linear-gradient(160deg, #001529 0%, #003a70 100%)",
        padding: 16,
      }}
    >
      <div style={{ position: "absolute", top: 16, right: 20 }}>
        <LanguageSwitch />
      </div>
      <Card style={{ width: 380, maxWidth: "100%" }} data-testid="login-card">
        <Typography.Title level={3} style={{ textAlign: "center", marginTop: 0 }}>
          <SafetyCertificateOutlined style={{ marginRight: 8, color: "#1677ff" }} />
          {t("app.shortName")}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: "center" }}>
          {t("app.tagline")}
        </Typography.Paragraph>
        {error && (
          <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />
        )}
        <Form<LoginForm> layout="vertical" onFinish={onFinish} requiredMark={false} data-testid="login-form">
          <Form.Item
            name="username"
            label={t("login.username")}
            rules={[{ required: true, whitespace: true, message: t("login.usernameRequired") }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t("login.password")}
            rules={[{ required: true, message: t("login.passwordRequired") }]}
          >
            <Input.Password
              prefix={<LockOutlined />}
              autoComplete="current-password"
              data-testid="login-password"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t("login.submit")}
          </Button>
        </Form>
        {demo && (
          <Typography.Paragraph
            type="secondary"
            style={{ textAlign: "center", marginTop: 16, marginBottom: 0, fontSize: 12 }}
            data-testid="demo-notice"
          >
            {t("app.syntheticData")}
          </Typography.Paragraph>
        )}
      </Card>
    </div>
  );
}
