/**
 * The DCA controller: reference RQ-DCA and pallet control speaking only the bridge API (issue to come).
 * Nothing is here yet; DESIGN.md shows where it will live.
 */
export {};
