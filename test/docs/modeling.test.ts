import { readFileSync } from 'node:fs';
import { documentPath, firstDifference, generateModelingDoc, staleMessage, storePart } from '../../tools/docs/modeling';
import { readProvisioned, storeNames } from '../support/stores';

/**
 * docs/modeling.md is generated from the four stores at once (npm run docs:modeling), so this is not a
 * per-store suite: it needs every store, regenerates the document in memory and compares it with the
 * committed one. Each store's part is also compared under that store's name, so a red line says whose
 * schema or records moved.
 */
let generated: string;
let committed: string;
const givenMongoUrl = process.env.MONGODB_URL;

beforeAll(async () => {
  const provisioned = readProvisioned();
  const missing = storeNames.filter((name) => !provisioned[name].ran);
  if (missing.length > 0) throw new Error(`docs/modeling.md is generated from every store; not provisioned: ${missing.join(', ')}`);
  // The tests' own MongoDB server (the generator alone starts a FerretDB of its own).
  const mongodb = provisioned.mongodb;
  if (mongodb.ran) process.env.MONGODB_URL = mongodb.serverUrl;
  committed = readFileSync(documentPath, 'utf8');
  generated = await generateModelingDoc();
}, 120_000);

afterAll(() => {
  if (givenMongoUrl === undefined) delete process.env.MONGODB_URL;
  else process.env.MONGODB_URL = givenMongoUrl;
});

describe.each(storeNames)('%s: docs/modeling.md', (name) => {
  it('when regenerated, then what this store holds after the example is what the committed file shows', () => {
    expect(storePart(generated, name)).not.toBe('');
    expect(storePart(generated, name)).toBe(storePart(committed, name));
  });
});

describe('docs/modeling.md', () => {
  it('when regenerated from the four stores, then it equals the committed file byte for byte', () => {
    if (generated !== committed) throw new Error(`${staleMessage}\n${firstDifference(committed, generated)}`);
  });
});
