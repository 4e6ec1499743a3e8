/**
 * The ingest's own reader of JetStream reply subjects must agree with the client's `info` on
 * every message a real nats-server delivers, first deliveries and redeliveries alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { readAckSubject, type AckSubjectFacts } from '../../server/ingest/ack-subject.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

describe('readAckSubject', () => {
  const facts: AckSubjectFacts = { deliveryCount: 0, streamSeq: 0, deliverySeq: 0 };

  it('should read both reply layouts', () => {
    expect(readAckSubject('$JS.ACK.OPS.peakboard.1.42.7.1700000000000000000.3', facts)).toBe(true);
    expect(facts).toEqual({ deliveryCount: 1, streamSeq: 42, deliverySeq: 7 });
    expect(
      readAckSubject('$JS.ACK._.ABC.OPS.peakboard.2.9007199254.11.1700000000000000000.0.xyz', facts),
    ).toBe(true);
    expect(facts).toEqual({ deliveryCount: 2, streamSeq: 9007199254, deliverySeq: 11 });
  });

  it('should refuse subjects that are not JetStream acks', () => {
    expect(readAckSubject('', facts)).toBe(false);
    expect(readAckSubject('_INBOX.abc', facts)).toBe(false);
    expect(readAckSubject('$JS.ACK.OPS.peakboard.1.x.7.1.3', facts)).toBe(false);
    expect(readAckSubject('$JS.ACK.OPS.peakboard.1.2', facts)).toBe(false);
  });

  describe('against a real nats-server', () => {
    let nats: TestNats;
    let nc: NatsConnection;
    beforeAll(async () => {
      nats = await startTestNats();
      nc = await connect({ servers: nats.url });
    });
    afterAll(async () => {
      await nc.close();
      await nats.dispose();
    });

    it('should agree with the client on every delivery, redeliveries included', async () => {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'ACKS', subjects: ['acks.>'] });
      const js = jetstream(nc);
      for (let i = 0; i < 300; i++) await js.publish(`acks.${i % 3}`, `m${i}`);
      await jsm.consumers.add('ACKS', { durable_name: 'c', ack_policy: AckPolicy.Explicit, ack_wait: 1e9 });
      const consumer = await js.consumers.get('ACKS', 'c');
      const seen: { client: AckSubjectFacts; ours: AckSubjectFacts }[] = [];
      // First pass: ack the even ones and leave the odd to be redelivered after ack_wait (1 s).
      for (let round = 0; round < 2; round++) {
        const batch = await consumer.fetch({ max_messages: 300, expires: 3000 });
        for await (const m of batch) {
          const ours = { deliveryCount: 0, streamSeq: 0, deliverySeq: 0 };
          // The client's implementation has `reply`; its published type does not.
          expect(readAckSubject((m as typeof m & { reply: string }).reply, ours)).toBe(true);
          seen.push({
            client: {
              deliveryCount: m.info.deliveryCount,
              streamSeq: m.seq,
              deliverySeq: m.info.deliverySequence,
            },
            ours,
          });
          if (round === 1 || m.seq % 2 === 0) m.ack();
        }
        if (round === 0) await new Promise((r) => setTimeout(r, 1200));
      }
      expect(seen.length).toBe(450);
      expect(seen.filter((s) => s.client.deliveryCount > 1).length).toBe(150);
      for (const s of seen) expect(s.ours).toEqual(s.client);
    });
  });
});
