import { readFileSync } from 'node:fs';
import { firstDifference } from '../../tools/docs/modeling';
import { comparable, generatePersistenceDoc, persistencePath, persistenceStaleMessage, storeOperations } from '../../tools/docs/persistence';
import { readProvisioned, storeNames } from '../support/stores';

/**
 * docs/persistence.md is generated from the demo's scenario on the four stores at once (npm run
 * docs:persistence), so this is not a per-store suite: it needs every store, regenerates the document in memory
 * and compares it with the committed one, each call's operations as a set (MongoDB's reads sent side by side
 * leave in either order). Each store's operations are also compared under that store's name, so a red line says
 * whose statements or commands changed.
 */
let generated: string;
let committed: string;
const givenMongoUrl = process.env.MONGODB_URL;

beforeAll(async () => {
  const provisioned = readProvisioned();
  const missing = storeNames.filter((name) => !provisioned[name].ran);
  if (missing.length > 0) throw new Error(`docs/persistence.md is generated from every store; not provisioned: ${missing.join(', ')}`);
  const mongodb = provisioned.mongodb;
  if (mongodb.ran) process.env.MONGODB_URL = mongodb.serverUrl;
  committed = readFileSync(persistencePath, 'utf8');
  generated = await generatePersistenceDoc();
}, 240_000);

afterAll(() => {
  if (givenMongoUrl === undefined) delete process.env.MONGODB_URL;
  else process.env.MONGODB_URL = givenMongoUrl;
});

describe.each(storeNames)('%s: docs/persistence.md', (name) => {
  it('when the scenario runs again, then this store runs what the committed file shows for each call', () => {
    const operations = storeOperations(generated, name);
    expect(operations.length).toBeGreaterThan(100);
    expect(operations).toEqual(storeOperations(committed, name));
  });
});

describe('docs/persistence.md', () => {
  it('when regenerated from the four stores, then it equals the committed file, each call\'s operations as a set', () => {
    if (comparable(generated) !== comparable(committed)) throw new Error(`${persistenceStaleMessage}\n${firstDifference(comparable(committed), comparable(generated))}`);
  });
});
