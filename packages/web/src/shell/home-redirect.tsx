import { Navigate } from "react-router";
import { useMe } from "../accounts/session.tsx";

/** The start page: the first built capability the role may use, else the command center. */
export function HomeRedirect() {
  const { can } = useMe();
  if (can("regions.read")) return <Navigate to="/regions" replace />;
  if (can("people.read")) return <Navigate to="/people" replace />;
  return <Navigate to="/command" replace />;
}
