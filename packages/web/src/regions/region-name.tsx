import { Tooltip } from "antd";
import { useRegionName } from "./use-region-name.ts";

/** A region code shown by its name, the code on hover (the code alone if the name cannot be read). */
export function RegionName({ code }: { code: string }) {
  const name = useRegionName(code);
  if (!name || name === code) return <span>{code}</span>;
  return (
    <Tooltip title={code}>
      <span>{name}</span>
    </Tooltip>
  );
}
