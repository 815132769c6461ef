import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { api, setUnauthorizedHandler, unwrap } from "../api/client.ts";
import type { Me } from "../api/types.ts";

import type { Permission } from "@cordon/domain/accounts/roles";

export type { Permission };

export type SessionState =
  { status: "loading" } | { status: "anonymous" } | { status: "authenticated"; me: Me };

interface SessionApi {
  session: SessionState;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

/** Who is logged in. Starts from GET /api/auth/me; any 401 afterwards ends the session in the UI. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: "loading" });

  useEffect(() => {
    setUnauthorizedHandler(() => setSession({ status: "anonymous" }));
    let current = true;
    unwrap(api.GET("/api/auth/me")).then(
      (me) => current && setSession({ status: "authenticated", me }),
      () => current && setSession({ status: "anonymous" }),
    );
    return () => {
      current = false;
      setUnauthorizedHandler(null);
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const me = await unwrap(api.POST("/api/auth/login", { body: { username, password } }));
    setSession({ status: "authenticated", me });
  }, []);

  const logout = useCallback(async () => {
    try {
      await unwrap(api.POST("/api/auth/logout"));
    } finally {
      setSession({ status: "anonymous" });
    }
  }, []);

  const value = useMemo(() => ({ session, login, logout }), [session, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

/** The logged-in user; only for pages behind the login guard. */
export function useMe(): { me: Me; can: (p: Permission) => boolean } {
  const { session } = useSession();
  if (session.status !== "authenticated") throw new Error("useMe without a session");
  const me = session.me;
  return { me, can: (p: Permission) => me.permissions.includes(p) };
}
