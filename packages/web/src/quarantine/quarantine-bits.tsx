import type { RoomState } from "@cordon/domain/quarantine/sites";
import { Space, Tag } from "antd";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";

/** A bilingual server text in the UI language. */
export function pick(m: { zh: string; en: string } | null | undefined, lang: string): string {
  if (!m) return "";
  return lang === "en" ? m.en : m.zh;
}

export const ROOM_STATE_COLORS: Record<RoomState, string> = {
  free: "green",
  occupied: "blue",
  cleaning: "orange",
  out_of_service: "default",
};

/** Background and border of a room tile on the board, per state. */
export const ROOM_TILE_STYLES: Record<RoomState, { background: string; borderColor: string }> = {
  free: { background: "#f6ffed", borderColor: "#b7eb8f" },
  occupied: { background: "#e6f4ff", borderColor: "#69b1ff" },
  cleaning: { background: "#fff7e6", borderColor: "#ffc069" },
  out_of_service: { background: "#f5f5f5", borderColor: "#d9d9d9" },
};

export const ROOM_STATE_ORDER: readonly RoomState[] = ["free", "occupied", "cleaning", "out_of_service"];

/** Rooms per state, as coloured tags. */
export function OccupancyTags({ occupancy }: { occupancy: Record<RoomState, number> }) {
  const { t } = useTranslation();
  return (
    <Space size={4} wrap>
      {ROOM_STATE_ORDER.map((s) => (
        <Tag key={s} color={ROOM_STATE_COLORS[s]} data-testid={`occupancy-${s}`} data-count={occupancy[s]}>
          {t(`quarantine.roomStates.${s}`)} {occupancy[s]}
        </Tag>
      ))}
    </Space>
  );
}

/** Today's date in the browser's time zone (Beijing for users in China), as the API's dates are. */
export const todayLocal = () => dayjs().format("YYYY-MM-DD");

/** An instant shown to the minute. */
export const formatMinute = (iso: string) => dayjs(iso).format("YYYY-MM-DD HH:mm");
