import { natsConnectionOptions } from './config';

describe('natsConnectionOptions', () => {
  it('passes a URL without credentials on as it is', () => {
    expect(natsConnectionOptions('nats://127.0.0.1:4222')).toEqual({ servers: ['nats://127.0.0.1:4222'] });
  });

  it('takes the user and password off the URL, since the NATS client ignores them there', () => {
    expect(natsConnectionOptions('nats://services:s%40cret@nats:4222')).toEqual({
      servers: ['nats://nats:4222'],
      user: 'services',
      pass: 's@cret',
    });
  });

  it('takes the credentials of a cluster from the first server that names them', () => {
    expect(natsConnectionOptions('nats://a:1@n1:4222, nats://n2:4222')).toEqual({
      servers: ['nats://n1:4222', 'nats://n2:4222'],
      user: 'a',
      pass: '1',
    });
  });
});
