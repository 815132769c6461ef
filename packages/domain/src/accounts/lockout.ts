/** Failed-login lockout: after `maxFailures` consecutive failures the account is locked for `lockMinutes`. */
export interface LockoutPolicy {
  maxFailures: number;
  lockMinutes: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockMinutes: 15 };

export interface LoginState {
  failedAttempts: number;
  lockedUntil: Date | null;
}

export function isLocked(state: LoginState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/** The state after a failed attempt. */
export function afterFailure(
  state: LoginState,
  now: Date,
  policy: LockoutPolicy = DEFAULT_LOCKOUT,
): LoginState {
  const failures = isLocked(state, now) ? state.failedAttempts : state.failedAttempts + 1;
  if (failures >= policy.maxFailures) {
    return { failedAttempts: 0, lockedUntil: new Date(now.getTime() + policy.lockMinutes * 60_000) };
  }
  return { failedAttempts: failures, lockedUntil: state.lockedUntil };
}

export const AFTER_SUCCESS: LoginState = { failedAttempts: 0, lockedUntil: null };

/** Password rule: at least 10 characters with letters and digits. */
export function passwordProblems(password: string): { zh: string; en: string } | null {
  if (password.length < 10 || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    return {
      zh: "密码至少10位，且须同时包含字母和数字",
      en: "A password has at least 10 characters with both letters and digits",
    };
  }
  return null;
}
