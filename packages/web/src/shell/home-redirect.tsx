import { Navigate } from "react-router";
import { useMe } from "../accounts/session.tsx";

/** The start page: a citizen's own record; else the first built capability the role may use, else the command center. */
export function HomeRedirect() {
  const { me, can } = useMe();
  if (me.user.role === "citizen") return <Navigate to="/me" replace />;
  if (can("regions.read")) return <Navigate to="/regions" replace />;
  if (can("people.read")) return <Navigate to="/people" replace />;
  return <Navigate to="/command" replace />;
}
