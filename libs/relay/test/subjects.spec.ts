import { contextOfStream, eventSubject, NO_COMMUNITY, subjectToken } from '../src';

describe('relay subjects', () => {
  it.each([
    ['community-0190a4c2', 'communities'],
    ['organisation-0190a4c2', 'communities'],
    ['partnership-0190a4c2', 'partnerships'],
    ['shipment-0190a4c2', 'logistics'],
  ])('gives stream %s to the %s context', (stream, context) => {
    expect(contextOfStream(stream)).toBe(context);
  });

  it('knows no context for other streams, nor for a prefix without its dash', () => {
    expect(contextOfStream('apikey-1')).toBeNull();
    expect(contextOfStream('shipments')).toBeNull();
  });

  it('builds aid.<context>.<EventType>.<communityId>', () => {
    expect(eventSubject('aid', 'logistics', 'ShipmentSent', '0190a4c2-7d1e-7000-8000-000000000001')).toBe(
      'aid.logistics.ShipmentSent.0190a4c2-7d1e-7000-8000-000000000001',
    );
  });

  it('uses the token none when the event concerns no community', () => {
    expect(eventSubject('aid', 'communities', 'OrganisationRegistered', null)).toBe(
      `aid.communities.OrganisationRegistered.${NO_COMMUNITY}`,
    );
  });

  it('keeps dots, wildcards and whitespace out of a token, and never leaves it empty', () => {
    expect(subjectToken('a.b*c>d e')).toBe('a_b_c_d_e');
    expect(subjectToken('')).toBe('_');
    expect(eventSubject('aid', 'logistics', 'Odd.Type', 'x>')).toBe('aid.logistics.Odd_Type.x_');
  });
});
