/** NATS request subjects of the partnerships service: `<context>.cmd|query.<kebab-name>`. */
export const PARTNERSHIPS_SUBJECTS = {
  proposePartnership: 'partnerships.cmd.propose-partnership',
  approvePartnership: 'partnerships.cmd.approve-partnership',
  signMemorandum: 'partnerships.cmd.sign-memorandum',
  recordActivity: 'partnerships.cmd.record-activity',
  terminatePartnership: 'partnerships.cmd.terminate-partnership',
  listPartnerships: 'partnerships.query.partnerships',
  getPartnership: 'partnerships.query.partnership',
} as const;

export type PartnershipSubject = (typeof PARTNERSHIPS_SUBJECTS)[keyof typeof PARTNERSHIPS_SUBJECTS];

export const PARTNERSHIP_STREAM_PREFIX = 'partnership-';

/** The event-store stream of one partnership. */
export function partnershipStream(partnershipId: string): string {
  return `${PARTNERSHIP_STREAM_PREFIX}${partnershipId}`;
}
