import {
  ConflictError,
  type Decider,
  type FieldError,
  IATI_REF_PATTERN,
  NotFoundError,
  type OrganisationEvent,
  type OrganisationRegisteredData,
  ValidationError,
} from '@aid/contracts';

export interface RegisterOrganisationCommand {
  type: 'RegisterOrganisation';
  /** Validated input plus the id the service made (newOrganisationId). */
  data: OrganisationRegisteredData;
  /**
   * What the handler looked up before deciding, since a decider does no I/O: whether the parent
   * community's stream holds a registration (null when no parent was given or none was found).
   */
  context: { parentCommunity: { registered: boolean } | null };
}

export type OrganisationCommand = RegisterOrganisationCommand;

export interface OrganisationState {
  organisation: OrganisationRegisteredData | null;
}

function register(command: RegisterOrganisationCommand, state: OrganisationState): OrganisationEvent[] {
  const { data, context } = command;
  if (state.organisation !== null) {
    throw new ConflictError(`organisation ${data.organisationId} is already registered`);
  }
  const fields: FieldError[] = [];
  const name = data.name.trim();
  if (name === '') fields.push({ field: 'name', message: 'is blank' });
  const iatiRef = data.iatiRef?.trim();
  if (iatiRef !== undefined && !IATI_REF_PATTERN.test(iatiRef)) {
    fields.push({ field: 'iatiRef', message: 'is not an IATI identifier (e.g. US-EIN-135660870)' });
  }
  if (data.kind === 'institution' && data.parentCommunityId === undefined) {
    fields.push({ field: 'parentCommunityId', message: 'an institution belongs to a community: name it' });
  }
  if (fields.length > 0) throw new ValidationError('cannot register the organisation', fields);

  // Any parent named must exist, not only an institution's: a dangling reference helps no one.
  if (data.parentCommunityId !== undefined && context.parentCommunity?.registered !== true) {
    throw new NotFoundError(`parent community ${data.parentCommunityId} is not registered`, [
      { field: 'parentCommunityId', message: `community ${data.parentCommunityId} is not registered` },
    ]);
  }

  return [
    {
      type: 'OrganisationRegistered',
      data: {
        organisationId: data.organisationId,
        name,
        kind: data.kind,
        ...(data.countryCode !== undefined && { countryCode: data.countryCode }),
        ...(iatiRef !== undefined && { iatiRef }),
        ...(data.parentCommunityId !== undefined && { parentCommunityId: data.parentCommunityId }),
      },
    },
  ];
}

export const organisationDecider: Decider<OrganisationCommand, OrganisationEvent, OrganisationState> = {
  initialState: { organisation: null },
  evolve(state, event) {
    switch (event.type) {
      case 'OrganisationRegistered':
        return { ...state, organisation: event.data };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'RegisterOrganisation':
        return register(command, state);
    }
  },
};
