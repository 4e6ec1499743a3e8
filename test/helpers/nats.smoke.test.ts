import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { startTestNats } from './nats.ts';

describe('test nats-server helper', () => {
  it('should start a JetStream server on a free port and restart it on the same port', async () => {
    const nats = await startTestNats();
    try {
      const nc = await connect({ servers: nats.url });
      await nc.flush();
      await nc.close();
      await nats.restart({ hard: true });
      const again = await connect({ servers: nats.url });
      await again.flush();
      expect(again.getServer()).toContain(String(nats.port));
      await again.close();
    } finally {
      await nats.dispose();
    }
  });
});
