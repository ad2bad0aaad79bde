import { type FrontlineStatus, type HostilitiesCategory } from './events';

/** The answer of `communities.query.status-on`: what a community's status was on one day. */
export interface CommunityStatusOnDate {
  date: string;
  /** The frontline status in effect that day, or null when none had been recorded yet. */
  frontline: { status: FrontlineStatus; effectiveFrom: string; basis?: string } | null;
  /** Categories of the periods covering the whole community that day, the most severe first. */
  wholeCommunity: HostilitiesCategory[];
  /**
   * Categories of the periods covering only part of it (settlements, city districts), the most
   * severe first, each with the codes of the areas concerned.
   */
  partial: { category: HostilitiesCategory; areaKatottg: string[] }[];
}
