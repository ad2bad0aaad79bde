/** NATS request subjects of the communities service: `<context>.cmd|query.<kebab-name>`. */
export const COMMUNITIES_SUBJECTS = {
  registerCommunity: 'communities.cmd.register-community',
  changeFrontlineStatus: 'communities.cmd.change-frontline-status',
  recordHostilitiesPeriod: 'communities.cmd.record-hostilities-period',
  registerOrganisation: 'communities.cmd.register-organisation',
  listCommunities: 'communities.query.communities',
  getCommunity: 'communities.query.community',
  listOrganisations: 'communities.query.organisations',
  getOrganisation: 'communities.query.organisation',
  /** A community's status on a day: frontline status and hostilities (CommunityStatusOnDate). */
  getStatusOn: 'communities.query.status-on',
} as const;

export type CommunitiesSubject = (typeof COMMUNITIES_SUBJECTS)[keyof typeof COMMUNITIES_SUBJECTS];
