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

describe('embedded nats-server left over by a killed parent', () => {
  it('should be ended and replaced when a new one starts on the same store', async () => {
    const { startNatsServer } = await import('../../server/ingest/nats-server-process.ts');
    const { makeTempDir } = await import('./nats.ts');
    const temp = makeTempDir();
    try {
      const orphan = await startNatsServer({ storeDir: temp.dir });
      // The parent "dies" without stopping it; the next start must not fail on the held store.
      const next = await startNatsServer({ storeDir: temp.dir });
      expect(orphan.pid).not.toBe(next.pid);
      expect(() => process.kill(orphan.pid as number, 0)).toThrow();
      await next.stop();
    } finally {
      temp.remove();
    }
  });
});
