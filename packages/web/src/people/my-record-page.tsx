import { Result } from "antd";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { PersonDetailPage } from "./person-detail-page.tsx";

/** A citizen's own record: the one person their account is linked to. */
export function MyRecordPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  if (!me.user.personId) {
    return <Result status="info" title={t("people.noLinkedRecord")} data-testid="no-linked-record" />;
  }
  return <PersonDetailPage personId={me.user.personId} />;
}
