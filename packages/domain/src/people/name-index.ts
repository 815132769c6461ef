import { pinyin } from "pinyin-pro";

/**
 * Pinyin initials of a name, lower case, for search: 张三丰 → "zsf". Surnames read as surnames
 * (单 → shan, 曾 → zeng). Latin letters in foreign names are kept as initials of their words.
 */
export function nameInitials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return "";
  if (!/[\u3400-\u9fff]/.test(trimmed)) {
    return trimmed
      .split(/[\s·.-]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toLowerCase())
      .join("");
  }
  const letters = pinyin(trimmed, { pattern: "first", toneType: "none", type: "array", surname: "head" });
  return letters
    .join("")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** Full pinyin without tones or spaces: 张三 → "zhangsan". */
export function namePinyin(name: string): string {
  return pinyin(name.trim(), { toneType: "none", type: "array", surname: "head", nonZh: "consecutive" })
    .join("")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}
