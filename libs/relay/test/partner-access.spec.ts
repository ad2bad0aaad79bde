import {
  communityFilterSubject,
  newPartnerUserKey,
  PARTNER_NAME_PATTERN,
  partnerConsumers,
  partnerDurableName,
  partnerInboxPrefix,
  partnerKey,
  partnersIn,
  renderPartnerUser,
  withPartnerUser,
} from '../src';

const EMPTY_PARTNERS_CONF = '# header\nusers = [\n]\n';

const OCHAKIV = '0190a4c2-7d1e-7000-8000-000000000001';
const MYKOLAIV = '0190a4c2-7d1e-7000-8000-000000000002';

describe('partner access on NATS', () => {
  const irc = { name: 'IRC', nkey: newPartnerUserKey().publicKey, communityIds: [OCHAKIV, MYKOLAIV] };

  it('names one durable consumer per community, filtered on that community as the last subject token', () => {
    expect(partnerConsumers(irc)).toEqual([
      {
        communityId: OCHAKIV,
        durableName: `partner-irc-${OCHAKIV}`,
        filterSubject: `aid.*.*.${OCHAKIV}`,
      },
      {
        communityId: MYKOLAIV,
        durableName: `partner-irc-${MYKOLAIV}`,
        filterSubject: `aid.*.*.${MYKOLAIV}`,
      },
    ]);
    expect(partnerKey('U-LEAD')).toBe('U_LEAD');
    expect(partnerInboxPrefix('u-lead')).toBe('_INBOX_U_LEAD');
    expect(partnerDurableName('U_LEAD', OCHAKIV)).toBe(`partner-u-lead-${OCHAKIV}`);
    expect(communityFilterSubject(OCHAKIV, 'test')).toBe(`test.*.*.${OCHAKIV}`);
  });

  it('accepts safe names only', () => {
    for (const name of ['IRC', 'U-LEAD', 'unicef_ua']) expect(PARTNER_NAME_PATTERN.test(name)).toBe(true);
    for (const name of ['', '1st', 'a b', 'a.b', 'a>', 'x'.repeat(41), 'irc\n}']) {
      expect(PARTNER_NAME_PATTERN.test(name)).toBe(false);
    }
  });

  it("grants exactly the partner's own consumers: info, next messages and acks, under the aid domain", () => {
    const block = renderPartnerUser(irc);
    const allowed = [...block.matchAll(/^ {10}"([^"]+)"$/gm)].map((match) => match[1]);
    expect(allowed).toEqual(
      [OCHAKIV, MYKOLAIV].flatMap((community) => [
        `$JS.aid.API.CONSUMER.INFO.AID_EVENTS.partner-irc-${community}`,
        `$JS.aid.API.CONSUMER.MSG.NEXT.AID_EVENTS.partner-irc-${community}`,
        `$JS.ACK.AID_EVENTS.partner-irc-${community}.>`,
      ]),
    );
    expect(block).toContain('subscribe: { allow: ["_INBOX_IRC.>"] }');
    expect(block).toContain(`nkey: "${irc.nkey}"`);
    expect(block).not.toMatch(/password|seed|SU[A-Z0-9]{50}/i);
  });

  it("adds a partner at the end of partners.conf's users, and refuses one that is there", () => {
    const conf = withPartnerUser(EMPTY_PARTNERS_CONF, irc, renderPartnerUser(irc));
    expect(partnersIn(conf)).toEqual(['IRC']);
    const ulead = { ...irc, name: 'U-LEAD' };
    const both = withPartnerUser(conf, ulead, renderPartnerUser(ulead));
    expect(partnersIn(both)).toEqual(['IRC', 'U-LEAD']);
    expect(both.startsWith('# header\nusers = [\n  # BEGIN partner IRC\n')).toBe(true);
    expect(both.endsWith('  # END partner U-LEAD\n]\n')).toBe(true);
    expect(() => withPartnerUser(both, { ...irc, name: 'irc' }, '')).toThrow(
      'partner IRC is already in the NATS configuration',
    );
    expect(() => withPartnerUser(both, { ...irc, name: 'U_LEAD' }, '')).toThrow(/partner U-LEAD/);
    expect(() => withPartnerUser('# no list\n', irc, '')).toThrow(/no `users = \[ ... \]` list/);
  });
});
