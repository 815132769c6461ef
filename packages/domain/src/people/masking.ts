/**
 * Masking of personal identifiers for lists: enough to tell people apart and to confirm on the
 * phone, not enough to impersonate them. The full value is shown only on an audited detail read.
 */
export function maskIdNumber(id: string): string {
  if (id.length <= 4) return "*".repeat(id.length);
  if (id.length === 18) return `${id.slice(0, 6)}********${id.slice(14)}`;
  // Passports and permits: keep the first and last two characters.
  const keep = id.length <= 6 ? 1 : 2;
  return id.slice(0, keep) + "*".repeat(id.length - 2 * keep) + id.slice(-keep);
}

export function maskPhone(phone: string): string {
  if (phone.length < 7) return "*".repeat(phone.length);
  return `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}`;
}
