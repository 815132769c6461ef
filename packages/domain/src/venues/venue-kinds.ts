/** Kinds of venue, as the venue-code notices list the places that must display one (seed 002, protocols.md §5.2). */
export const VENUE_KINDS = [
  "restaurant",
  "supermarket",
  "mall",
  "market",
  "hotel",
  "office",
  "factory",
  "school",
  "hospital",
  "transport",
  "entertainment",
  "gym",
  "religious",
  "government",
  "residential",
  "other",
] as const;
export type VenueKind = (typeof VENUE_KINDS)[number];
