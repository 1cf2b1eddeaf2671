import { ObjectId } from 'mongodb';

/** Only the canonical 24-hex-digit form names a document; anything else is simply not found. */
export function parseObjectId(id: string): ObjectId | null {
  return /^[0-9a-f]{24}$/.test(id) ? new ObjectId(id) : null;
}
