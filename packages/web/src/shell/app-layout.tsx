import { KeyOutlined, LogoutOutlined, MenuOutlined, SafetyCertificateOutlined } from "@ant-design/icons";
import { App, Button, Grid, Layout, Menu, type MenuProps, Space, Tag, Tooltip, Typography } from "antd";
import { Suspense, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { ChangePasswordDialog } from "../accounts/change-password-dialog.tsx";
import { useMe, useSession } from "../accounts/session.tsx";
import { roleLabel } from "../i18n/labels.ts";
import { useRegionName } from "../regions/use-region-name.ts";
import { LanguageSwitch } from "./language-switch.tsx";
import { isGroup, NAVIGATION, type NavEntry } from "./navigation.tsx";
import { useInstallation } from "./installation.ts";
import { PageLoading } from "./page-states.tsx";

const HEADER_HEIGHT = 56;

type MenuItem = NonNullable<MenuProps["items"]>[number];

/** The frame of every page after login: header with the user and the language, the platform's navigation. */
export function AppLayout() {
  const { t } = useTranslation();
  const { me, can } = useMe();
  const { demo } = useInstallation();
  // On a phone the navigation folds away behind a button and the header keeps only what fits.
  const narrow = !Grid.useBreakpoint().md;
  const { logout } = useSession();
  const { message } = App.useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  const jurisdictionName = useRegionName(me.user.jurisdictionCode, can("regions.read"));

  const items: MenuProps["items"] = useMemo(() => {
    const visible = (e: NavEntry) => !e.built || me.permissions.includes(e.permission);
    const item = (e: NavEntry): MenuItem => ({
      key: e.path,
      icon: e.icon,
      label: (
        <Link to={e.path} data-testid={`nav-${e.key}`} title={e.built ? undefined : t("notBuilt.tag")}>
          {e.built ? (
            t(`nav.${e.key}`)
          ) : (
            <Typography.Text type="secondary">{t(`nav.${e.key}`)}</Typography.Text>
          )}
        </Link>
      ),
    });
    return NAVIGATION.flatMap((n): MenuItem[] => {
      if (!isGroup(n)) return [item(n)];
      const children = n.entries.filter(visible).map(item);
      return children.length ? [{ key: n.group, label: t(`nav.groups.${n.group}`), children }] : [];
    });
  }, [t, me.permissions]);

  // The entry whose path is the longest prefix of the page's (/tracing/chains/… is "transmission chains",
  // not "investigations" at /tracing); else the page's first segment.
  const selected =
    NAVIGATION.flatMap((n) => (isGroup(n) ? n.entries : [n]))
      .map((e) => e.path)
      .filter((p) => location.pathname === p || location.pathname.startsWith(`${p}/`))
      .sort((a, b) => b.length - a.length)[0] ?? `/${location.pathname.split("/")[1] ?? ""}`;

  const onLogout = async () => {
    await logout().catch(() => undefined);
    message.success(t("header.loggedOut"));
    navigate("/login", { replace: true });
  };

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Header
        style={{
          position: "sticky",
          top: 0,
          zIndex: 10,
          height: HEADER_HEIGHT,
          lineHeight: `${HEADER_HEIGHT}px`,
          display: "flex",
          alignItems: "center",
          gap: narrow ? 6 : 16,
          paddingInline: narrow ? 8 : 20,
        }}
      >
        {narrow && (
          <Button
            type="text"
            icon={<MenuOutlined style={{ color: "#fff" }} />}
            onClick={() => setNavOpen((o) => !o)}
            aria-label={t("header.menu")}
            data-testid="nav-toggle"
          />
        )}
        <Link
          to="/"
          data-testid="product-name"
          style={{ color: "#fff", whiteSpace: "nowrap", fontSize: 17, fontWeight: 600 }}
        >
          <SafetyCertificateOutlined style={{ marginRight: 8 }} />
          {t("app.shortName")}{" "}
          {!narrow && <span style={{ fontWeight: 400, opacity: 0.85 }}>{t("app.tagline")}</span>}
        </Link>
        {demo && (
          <Tooltip title={t("app.syntheticData")}>
            <Tag color="orange" data-testid="demo-tag">
              {t("app.demoTag")}
            </Tag>
          </Tooltip>
        )}
        <div style={{ flex: 1 }} />
        <Space size={narrow ? 4 : 12} style={{ color: "#fff", lineHeight: "normal" }} wrap={false}>
          <span data-testid="current-user" style={{ whiteSpace: "nowrap" }}>
            {!narrow && <strong data-testid="current-user-name">{me.user.displayName}</strong>}{" "}
            {!narrow && (
              <Tag color="blue" data-testid="current-user-role" style={{ marginInline: 4 }}>
                {roleLabel(t, me.user.role)}
              </Tag>
            )}
            {!narrow && (
              <span style={{ opacity: 0.85 }} data-testid="current-user-jurisdiction">
                {t("header.jurisdiction", { name: jurisdictionName })}
              </span>
            )}
          </span>
          <LanguageSwitch />
          <Button
            size="small"
            icon={<KeyOutlined />}
            onClick={() => setPasswordOpen(true)}
            data-testid="change-password"
            aria-label={t("header.changePassword")}
          >
            {!narrow && t("header.changePassword")}
          </Button>
          <Button
            size="small"
            icon={<LogoutOutlined />}
            onClick={onLogout}
            data-testid="logout"
            aria-label={t("header.logout")}
          >
            {!narrow && t("header.logout")}
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider
          width={256}
          theme="light"
          breakpoint="md"
          collapsedWidth={0}
          collapsible
          trigger={null}
          collapsed={narrow && !navOpen}
          style={{
            position: "sticky",
            top: HEADER_HEIGHT,
            height: `calc(100vh - ${HEADER_HEIGHT}px)`,
            overflowY: "auto",
            borderRight: "1px solid rgba(5, 5, 5, 0.06)",
          }}
        >
          {(!narrow || navOpen) && (
            <Menu
              data-testid="side-nav"
              mode="inline"
              items={items}
              selectedKeys={[selected]}
              defaultOpenKeys={["basics", "screening"]}
              onClick={() => setNavOpen(false)}
              style={{ borderInlineEnd: "none" }}
            />
          )}
        </Layout.Sider>
        <Layout.Content style={{ padding: narrow ? 12 : 24, minWidth: 0 }}>
          <Suspense fallback={<PageLoading />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
      <ChangePasswordDialog open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </Layout>
  );
}
