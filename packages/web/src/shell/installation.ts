import { api, unwrap } from "../api/client.ts";
import { useApiData } from "../api/use-api-data.ts";

/** Facts about this installation: above all whether it holds synthetic demo data, which pages then say. */
export function useInstallation(): { demo: boolean } {
  const { data } = useApiData("health", () => unwrap(api.GET("/api/health")));
  return { demo: data?.demo ?? false };
}
