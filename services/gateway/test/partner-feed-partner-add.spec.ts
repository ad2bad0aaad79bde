import { resolve } from 'node:path';
import { parseRequest, UsageError } from '../../../scripts/partner-add';

const OCHAKIV = '0190a4c2-7d1e-7000-8000-000000000001';
const MYKOLAIV = '0190A4C2-7D1E-7000-8000-000000000002';

describe('partner:add command line', () => {
  it('takes a name and communities, with the defaults', () => {
    expect(parseRequest(['--name', 'IRC', '--communities', ` ${OCHAKIV}, ${MYKOLAIV} `])).toEqual({
      name: 'IRC',
      communityIds: [OCHAKIV, MYKOLAIV.toLowerCase()],
      organisationId: null,
      natsConfig: resolve('infra/nats/partners.conf'),
      reload: false,
      pid: undefined,
      publicNatsUrl: undefined,
      publicUrl: undefined,
      json: false,
      consumersOnly: false,
    });
  });

  it.each([
    [['--name', 'IRC'], '--communities needs at least one community id'],
    [['--name', 'IRC', '--communities', ' , '], '--communities needs at least one community id'],
    [['--name', '1RC', '--communities', OCHAKIV], '--name must be 1 to 40 letters'],
    [['--name', 'IRC', '--communities', `${OCHAKIV},x`], '--communities must be UUIDs; not: x'],
    [['--name', 'IRC', '--communities', `${OCHAKIV},${OCHAKIV}`], '--communities names a community twice'],
    [['--name', 'IRC', '--communities', OCHAKIV, '--organisation', 'irc'], '--organisation must be a UUID'],
    [['--name', 'IRC', '--communities', OCHAKIV, '--pid', '42'], '--pid only goes with --reload'],
    [['--name', 'IRC', '--communities', OCHAKIV, '--colour', 'red'], "Unknown option '--colour'"],
    [
      ['--name', 'IRC', '--communities', OCHAKIV, '--consumers-only', '--reload'],
      'no --reload, no --organisation',
    ],
    [
      ['--name', 'IRC', '--communities', OCHAKIV, '--consumers-only', '--organisation', OCHAKIV],
      'no --reload, no --organisation',
    ],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseRequest(argv)).toThrow(UsageError);
    expect(() => parseRequest(argv)).toThrow(message);
  });
});
