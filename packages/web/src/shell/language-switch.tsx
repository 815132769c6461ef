import { Segmented } from "antd";
import { useTranslation } from "react-i18next";
import { type Lang, setLang } from "../i18n/i18n.ts";

/** zh-CN / English; the choice is remembered in this browser. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const value: Lang = i18n.language === "en" ? "en" : "zh-CN";
  return (
    <Segmented<Lang>
      size="small"
      aria-label={t("language.label")}
      data-testid="language-switch"
      value={value}
      onChange={(lang) => void setLang(lang)}
      options={[
        { value: "zh-CN", label: <span data-testid="language-zh">{t("language.zh")}</span> },
        { value: "en", label: <span data-testid="language-en">{t("language.en")}</span> },
      ]}
    />
  );
}
