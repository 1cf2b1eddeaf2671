/**
 * The versions a conditional write accepts (from `If-Match`): the write
 * happens only while the record has one of them, checked by the store in the
 * same operation as the write. Undefined: any version, the last writer wins.
 */
export type ExpectedVersions = readonly number[] | undefined;

/**
 * What a write of a post must find for it to happen, checked by the store in the same operation as the
 * write: one of the `expected` versions (when given), and `authorId` as its author (when given).
 */
export interface WriteCondition {
  expected?: ExpectedVersions;
  authorId?: string;
}
