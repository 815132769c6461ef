/**
 * A bilingual message: every user-facing text in Cordon exists in zh-CN (the default) and en.
 */
export interface Message {
  zh: string;
  en: string;
}

/** One field's problem, with a stable code for machines and a message for people. */
export interface FieldError {
  field: string;
  code: string;
  message: Message;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function fieldError(field: string, code: string, zh: string, en: string): FieldError {
  return { field, code, message: { zh, en } };
}
