import { Binary, Decimal128, Double, Int32, Long, ObjectId, type Db, type Document } from 'mongodb';
import type { Masking } from './masking';

/** The collections of the relations this document is about. */
export const relationCollections = ['users', 'posts', 'follows', 'favorites', 'comments', 'sessions'] as const;

export interface MongoCollection {
  name: string;
  /** listIndexes, one index a line. */
  indexes: string[];
  /** Each document as the server returns it, in the shell's notation, masked. */
  documents: string[];
}

export interface MongoSnapshot {
  collections: MongoCollection[];
  others: string[];
}

/** What the MongoDB store holds after the example, read with the driver, numbers kept with their BSON types. */
export async function mongoSnapshot(db: Db, masking: Masking): Promise<MongoSnapshot> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name).sort();
  const render = new ShellNotation(masking);
  const collections: MongoCollection[] = [];
  for (const name of relationCollections) {
    if (!names.includes(name)) throw new Error(`mongodb: no collection ${name}`);
    const collection = db.collection(name);
    const indexes = (await collection.listIndexes().toArray()).map((index) => render.inline(index)).sort(byIdIndexFirst);
    // Sorted by their masked text: the ids' own order is the time they were made in, which a run cannot fix.
    const documents = (await collection.find({}, { promoteValues: false }).toArray()).map((document) => render.block(document)).sort();
    collections.push({ name, indexes, documents });
  }
  return { collections, others: names.filter((name) => !(relationCollections as readonly string[]).includes(name)) };
}

function byIdIndexFirst(a: string, b: string): number {
  const isId = (line: string) => line.includes("name: '_id_'");
  return isId(a) !== isId(b) ? (isId(a) ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0;
}

/** mongosh's notation, nearly: ObjectId('…'), ISODate('…'), Int32 as a bare number, doubles and longs named. */
class ShellNotation {
  constructor(private readonly masking: Masking) {}

  block(document: Document): string {
    return this.value(document, '');
  }

  inline(document: Document): string {
    return this.value(document, null);
  }

  /** `indent` null: all on one line. */
  private value(value: unknown, indent: string | null): string {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    if (typeof value === 'string') return quote(this.masking.text(value));
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    if (value instanceof ObjectId) {
      const hex = value.toHexString();
      return `ObjectId('${this.masking.isKnownId(hex) ? `<${this.masking.id(hex)}>` : hex}')`;
    }
    if (value instanceof Date) return `ISODate('${this.masking.instants(value.toISOString())}')`;
    if (value instanceof Int32) return String(value.value);
    if (value instanceof Double) return `Double(${value.value})`;
    if (value instanceof Long) return `Long('${value.toString()}')`;
    if (value instanceof Decimal128) return `Decimal128('${value.toString()}')`;
    if (value instanceof Binary) return `Binary(${value.length()} bytes)`;
    const inner = indent === null ? null : `${indent}  `;
    const entries = Array.isArray(value)
      ? value.map((item) => this.value(item, inner))
      : Object.entries(value as Document).map(([key, item]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key)}: ${this.field(key, item, inner)}`);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return `${open}${close}`;
    if (inner === null || (Array.isArray(value) && entries.every((entry) => !entry.includes('\n')) && entries.join(', ').length < 60)) {
      return `${open} ${entries.join(', ')} ${close}`;
    }
    return `${open}\n${entries.map((entry) => `${inner}${entry}`).join(',\n')}\n${indent}${close}`;
  }

  private field(key: string, item: unknown, indent: string | null): string {
    if (key === 'passwordHash' && typeof item === 'string') return quote(this.masking.passwordHash(item));
    // An `_id` of two ids fits on its line.
    if (key === '_id' && typeof item === 'object' && item !== null && !(item instanceof ObjectId)) return this.value(item, null);
    return this.value(item, indent);
  }
}

function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
