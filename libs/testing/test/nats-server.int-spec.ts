import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '../src';

describe('startNatsServer', () => {
  it('starts a private nats-server with JetStream and stops it', async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.getAccountInfo()).streams).toBe(0);
    await nc.close();
    await server.stop();
    await expect(connect({ servers: server.url, timeout: 500, reconnect: false })).rejects.toThrow();
  });
});
