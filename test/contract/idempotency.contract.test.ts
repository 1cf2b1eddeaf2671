import { createHash, randomUUID } from 'node:crypto';
import type { IdempotencyRecord, StoredResponse } from '../../src/domain/idempotency';
import { describeEachStore } from '../support/each-store';
import { emoji } from '../support/factories';

describeEachStore('idempotency keys repository contract', (context) => {
  const keys = () => context.store.idempotencyKeys;
  const now = new Date('2026-03-01T12:00:00.000Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  let count = 0;
  const aClaim = (overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => {
    count += 1;
    return {
      id: createHash('sha256').update(`key ${count}`).digest('hex'),
      fingerprint: createHash('sha256').update(`body ${count}`).digest('hex'),
      claimToken: randomUUID(),
      response: null,
      expiresAt: at(30_000),
      ...overrides,
    };
  };
  const aResponse = (body = '{"id":"1","title":"Grüße 😀"}'): StoredResponse => ({
    status: 201,
    headers: { 'content-type': 'application/json; charset=utf-8', location: '/posts/1', etag: '"1"' },
    body,
  });

  it('when a free key is claimed, then it reads back pending, to the millisecond', async () => {
    const claim = aClaim({ expiresAt: new Date('2026-03-01T12:00:30.123Z') });

    expect(await keys().claim(claim, now)).toBe(true);

    expect(await keys().find(claim.id, now)).toEqual(claim);
    expect(await keys().find(aClaim().id, now)).toBeNull();
  });

  it('when a live key is claimed again, then the second claim is refused and the first is unchanged', async () => {
    const first = aClaim();
    await keys().claim(first, now);

    expect(await keys().claim({ ...aClaim(), id: first.id }, now)).toBe(false);

    expect(await keys().find(first.id, now)).toEqual(first);
  });

  it('when ids differ only in case, then they are different keys', async () => {
    const lower = aClaim({ id: 'ab'.repeat(32) });
    const upper = aClaim({ id: 'AB'.repeat(32) });

    expect(await keys().claim(lower, now)).toBe(true);
    expect(await keys().claim(upper, now)).toBe(true);

    expect(await keys().find(lower.id, now)).toEqual(lower);
    expect(await keys().find(upper.id, now)).toEqual(upper);
  });

  it('when ten claims on one key race, then exactly one wins', async () => {
    const id = aClaim().id;
    const claims = Array.from({ length: 10 }, () => aClaim({ id }));

    const results = await Promise.all(claims.map((claim) => keys().claim(claim, now)));

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await keys().find(id, now)).toEqual(claims[results.indexOf(true)]);
  });

  it('when the holder completes its claim, then the response reads back exactly until the new expiry', async () => {
    const claim = aClaim();
    await keys().claim(claim, now);
    const response = aResponse();

    expect(await keys().complete(claim.id, claim.claimToken, response, at(86_400_000))).toBe(true);

    const done = { ...claim, response, expiresAt: at(86_400_000) };
    expect(await keys().find(claim.id, at(86_399_999))).toEqual(done);
    expect(await keys().find(claim.id, at(86_400_000))).toBeNull();
  });

  it('when the response holds the largest post, then it is kept whole', async () => {
    const claim = aClaim();
    await keys().claim(claim, now);
    const response = aResponse(JSON.stringify({ id: '1', content: emoji(100_000) }));

    await keys().complete(claim.id, claim.claimToken, response, at(86_400_000));

    expect((await keys().find(claim.id, now))?.response).toEqual(response);
  });

  it('when another claim token or a completed key is completed, then nothing changes', async () => {
    const claim = aClaim();
    await keys().claim(claim, now);

    expect(await keys().complete(claim.id, randomUUID(), aResponse(), at(60_000))).toBe(false);
    expect(await keys().find(claim.id, now)).toEqual(claim);

    const first = aResponse('{"first":true}');
    await keys().complete(claim.id, claim.claimToken, first, at(60_000));
    expect(await keys().complete(claim.id, claim.claimToken, aResponse('{"second":true}'), at(90_000))).toBe(false);
    expect(await keys().find(claim.id, now)).toEqual({ ...claim, response: first, expiresAt: at(60_000) });

    expect(await keys().complete(aClaim().id, claim.claimToken, aResponse(), at(60_000))).toBe(false);
  });

  it('when the holder releases its claim, then the key is free; another token releases nothing', async () => {
    const claim = aClaim();
    await keys().claim(claim, now);

    await keys().release(claim.id, randomUUID());
    expect(await keys().find(claim.id, now)).toEqual(claim);

    await keys().release(claim.id, claim.claimToken);
    expect(await keys().find(claim.id, now)).toBeNull();
    await keys().release(claim.id, claim.claimToken);

    const again = aClaim({ id: claim.id });
    expect(await keys().claim(again, now)).toBe(true);
    expect(await keys().find(claim.id, now)).toEqual(again);
  });

  it('when claims and completions of many keys race while expired keys are swept, then each succeeds and every expired key is gone', async () => {
    // On MariaDB each claim's sweep locks a range of the expiry index that the others' inserts and completions
    // (which move a key's expiry) wait on: deadlocks, which must not reach the caller.
    for (let round = 1; round <= 5; round += 1) {
      const expired = Array.from({ length: 10 }, () => aClaim({ expiresAt: at(-round) }));
      const held = Array.from({ length: 20 }, () => aClaim());
      for (const claim of [...expired, ...held]) await keys().claim(claim, at(-60_000));
      const claims = Array.from({ length: 20 }, () => aClaim());

      const results = await Promise.all([
        ...claims.map((claim) => keys().claim(claim, now)),
        ...held.map((claim) => keys().complete(claim.id, claim.claimToken, aResponse(), at(86_400_000))),
      ]);

      expect(results.every(Boolean)).toBe(true);
      for (const claim of claims) expect(await keys().find(claim.id, now)).toEqual(claim);
      for (const claim of held) expect(await keys().find(claim.id, now)).toEqual({ ...claim, response: aResponse(), expiresAt: at(86_400_000) });
      for (const claim of expired) expect(await keys().find(claim.id, at(-60_000))).toBeNull();
    }
  });

  it('when a key has expired, then it is absent, a claim takes it, and every expired key is removed', async () => {
    const expired = aClaim({ expiresAt: at(0) });
    const otherExpired = aClaim({ expiresAt: at(-1) });
    const live = aClaim({ expiresAt: at(1) });
    for (const claim of [expired, otherExpired, live]) await keys().claim(claim, at(-60_000));
    expect(await keys().find(expired.id, at(-1))).toEqual(expired);
    expect(await keys().find(expired.id, now)).toBeNull();

    const successor = aClaim({ id: expired.id, expiresAt: at(30_000) });
    expect(await keys().claim(successor, now)).toBe(true);

    expect(await keys().find(expired.id, now)).toEqual(successor);
    expect(await keys().find(otherExpired.id, at(-60_000))).toBeNull();
    expect(await keys().find(live.id, now)).toEqual(live);
  });

  it('when a lease runs out and another request takes the key, then the first holder can neither complete nor release it', async () => {
    const lapsed = aClaim({ expiresAt: at(30_000) });
    await keys().claim(lapsed, now);
    const successor = aClaim({ id: lapsed.id, expiresAt: at(60_000) });
    expect(await keys().claim(successor, at(30_000))).toBe(true);

    expect(await keys().complete(lapsed.id, lapsed.claimToken, aResponse(), at(86_400_000))).toBe(false);
    await keys().release(lapsed.id, lapsed.claimToken);

    expect(await keys().find(lapsed.id, at(30_000))).toEqual(successor);
  });
});
