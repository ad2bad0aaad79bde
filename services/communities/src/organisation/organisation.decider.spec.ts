import {
  ConflictError,
  NotFoundError,
  type OrganisationEvent,
  type OrganisationRegisteredData,
  ValidationError,
  communityIdForKatottg,
} from '@aid/contracts';
import { given } from '../community/test/given-when-then';
import { type RegisterOrganisationCommand, organisationDecider } from './organisation.decider';

const ochakivId = communityIdForKatottg('UA48060250000061313');

const irc: OrganisationRegisteredData = {
  organisationId: '0196e8a0-0000-7000-8000-00000000c001',
  name: ' International Rescue Committee ',
  kind: 'ingo',
  countryCode: 'US',
  iatiRef: 'US-EIN-135660870',
};
const ircRegistered: OrganisationEvent = {
  type: 'OrganisationRegistered',
  data: { ...irc, name: 'International Rescue Committee' },
};

const socialServicesCentre: OrganisationRegisteredData = {
  organisationId: '0196e8a0-0000-7000-8000-00000000c002',
  name: 'Очаківський центр соціальних служб',
  kind: 'institution',
  countryCode: 'UA',
  parentCommunityId: ochakivId,
};

const noParent = { parentCommunity: null };
const parentFound = { parentCommunity: { registered: true } };

const registerOrganisation = (
  data: OrganisationRegisteredData,
  context: RegisterOrganisationCommand['context'] = noParent,
): RegisterOrganisationCommand => ({ type: 'RegisterOrganisation', data, context });

describe('organisation decider: RegisterOrganisation', () => {
  it('registers an international NGO with a trimmed name', () => {
    given(organisationDecider, []).when(registerOrganisation(irc)).then([ircRegistered]);
  });

  it('registers an institution of a registered community', () => {
    given(organisationDecider, [])
      .when(registerOrganisation(socialServicesCentre, parentFound))
      .then([{ type: 'OrganisationRegistered', data: socialServicesCentre }]);
  });

  it('registers a programme with only a name and a kind', () => {
    const uLead = {
      organisationId: '0196e8a0-0000-7000-8000-00000000c003',
      name: 'U-LEAD with Europe',
      kind: 'programme' as const,
    };
    given(organisationDecider, [])
      .when(registerOrganisation(uLead))
      .then([{ type: 'OrganisationRegistered', data: uLead }]);
  });

  it('refuses an organisation that is already registered', () => {
    given(organisationDecider, [ircRegistered]).when(registerOrganisation(irc)).thenRefuses(ConflictError);
  });

  it('refuses an institution without a parent community', () => {
    const { parentCommunityId: _parent, ...orphan } = socialServicesCentre;
    given(organisationDecider, [])
      .when(registerOrganisation(orphan))
      .thenRefuses(ValidationError, { fields: ['parentCommunityId'] });
  });

  it('refuses a parent community that is not registered, naming the field', () => {
    given(organisationDecider, [])
      .when(registerOrganisation(socialServicesCentre, noParent))
      .thenRefuses(NotFoundError, { fields: ['parentCommunityId'], message: new RegExp(ochakivId) });
    given(organisationDecider, [])
      .when(registerOrganisation(socialServicesCentre, { parentCommunity: { registered: false } }))
      .thenRefuses(NotFoundError, { fields: ['parentCommunityId'] });
  });

  it('refuses an unknown parent of any kind of organisation', () => {
    given(organisationDecider, [])
      .when(registerOrganisation({ ...irc, kind: 'government', parentCommunityId: ochakivId }))
      .thenRefuses(NotFoundError, { fields: ['parentCommunityId'] });
  });

  it('refuses a blank name and an IATI reference of the wrong shape', () => {
    given(organisationDecider, [])
      .when(registerOrganisation({ ...irc, name: '  ', iatiRef: 'IRC 1933' }))
      .thenRefuses(ValidationError, { fields: ['name', 'iatiRef'] });
  });
});
