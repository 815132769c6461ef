import { isWithin } from "@cordon/domain/regions/region-code";
import { Select, Spin, Typography } from "antd";
import { type CSSProperties, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import type { Region } from "../api/types.ts";
import type { RegionLevel } from "../i18n/labels.ts";

interface Option {
  value: string;
  label: string;
  /** Absent when the value could not be looked up (shown by its code). */
  region?: Pick<Region, "name" | "level">;
}

export interface RegionPickerProps {
  value?: string | null;
  onChange?: (code: string | undefined) => void;
  /** Only regions of these levels can be chosen (e.g. where people live: community, grid). */
  levels?: readonly RegionLevel[];
  placeholder?: string;
  id?: string;
  style?: CSSProperties;
  "data-testid"?: string;
  /** Offer only regions inside this one (e.g. the user's jurisdiction, for where a person lives). */
  within?: string;
  /** Where to search (default GET /api/regions); e.g. the citizens' own search for their self-report. */
  search?: (q: string) => Promise<Pick<Region, "code" | "name" | "level">[]>;
}

/** Chooses a region of the country by typing part of its name or code (GET /api/regions?q=). */
export function RegionPicker({
  value,
  onChange,
  levels,
  within,
  search: searchRegions,
  placeholder,
  id,
  style,
  ...rest
}: RegionPickerProps) {
  const { t } = useTranslation();
  const [options, setOptions] = useState<Option[]>([]);
  const [searching, setSearching] = useState(false);
  const [valueLabel, setValueLabel] = useState<Option | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const seq = useRef(0);

  // A value set from outside (a saved record, a link) is shown by its path of names.
  useEffect(() => {
    if (!value || valueLabel?.value === value || options.some((o) => o.value === value)) return;
    let current = true;
    unwrap(api.GET("/api/regions/{code}", { params: { path: { code: value } } })).then(
      (o) => {
        if (!current) return;
        const names = o.path.filter((r) => r.level !== "country").map((r) => r.name);
        setValueLabel({ value, label: `${names.join(" / ")} ${value}`, region: o.region });
      },
      () => current && setValueLabel({ value, label: value }),
    );
    return () => {
      current = false;
    };
  }, [value, valueLabel, options]);

  const search = (term: string) => {
    clearTimeout(timer.current);
    const q = term.trim();
    if (!q) return;
    timer.current = setTimeout(async () => {
      const mine = ++seq.current;
      setSearching(true);
      try {
        const items = searchRegions
          ? await searchRegions(q)
          : (await unwrap(api.GET("/api/regions", { params: { query: { q, limit: 50 } } }))).items;
        if (mine !== seq.current) return;
        setOptions(
          items
            .filter((r) => (!levels || levels.includes(r.level)) && (!within || isWithin(within, r.code)))
            .map((r) => ({ value: r.code, label: `${r.name} ${r.code}`, region: r })),
        );
      } catch {
        if (mine === seq.current) setOptions([]);
      } finally {
        if (mine === seq.current) setSearching(false);
      }
    }, 250);
  };

  const shown =
    valueLabel && !options.some((o) => o.value === valueLabel.value) ? [valueLabel, ...options] : options;

  return (
    <Select<string, Option>
      id={id}
      data-testid={rest["data-testid"]}
      style={style}
      value={value ?? undefined}
      onChange={(v) => {
        const picked = shown.find((o) => o.value === v) ?? null;
        if (picked) setValueLabel(picked);
        onChange?.(v ?? undefined);
      }}
      options={shown}
      allowClear
      placeholder={placeholder ?? t("regions.pickerPlaceholder")}
      showSearch={{ filterOption: false, onSearch: search }}
      notFoundContent={searching ? <Spin size="small" /> : t("regions.searchPlaceholder")}
      optionRender={(o) => (
        <span data-testid={`region-option-${o.data.value}`}>
          {o.data.region?.name ?? o.data.value}{" "}
          {o.data.region && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(`levels.${o.data.region.level}`)} · {o.data.value}
            </Typography.Text>
          )}
        </span>
      )}
      popupMatchSelectWidth={false}
    />
  );
}
