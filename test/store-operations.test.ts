import { ObjectId } from 'mongodb';
import { storeTime } from '../src/stores/capture';
import { describeCommand, shape } from '../src/stores/mongo/captured-commands';
import { maskedStatement } from '../src/stores/typeorm/captured-statements';

describe('store operations as recorded', () => {
  it('when a statement carries inline literals, then each is masked and the placeholders, names and keywords are kept', () => {
    expect(maskedStatement("SELECT * FROM \"posts\" \"p2\" WHERE \"p2\".\"title\" = 'It''s secret' AND id = $1\n  LIMIT 20 OFFSET 1.5", 'postgres')).toBe(
      'SELECT * FROM "posts" "p2" WHERE "p2"."title" = ? AND id = $1 LIMIT ? OFFSET ?',
    );
    expect(maskedStatement('SELECT `t1`.id FROM t1 WHERE a = "x\\"y" AND b = \'z\' AND c = ? LIMIT 5', 'mysql')).toBe('SELECT `t1`.id FROM t1 WHERE a = ? AND b = ? AND c = ? LIMIT ?');
    expect(maskedStatement('SAVEPOINT `\t_bs3.\t`', 'sqlite')).toBe('SAVEPOINT ` _bs3. `');
  });

  it('when a MongoDB command is described, then its keys and operators are kept and every value is a placeholder', () => {
    const id = new ObjectId();
    expect(shape({ _id: id, author: 'someone@example.com', createdAt: { $lt: new Date() }, tags: { $in: ['a', 'b'] } })).toBe('{_id: ?, author: ?, createdAt: {$lt: ?}, tags: {$in: ?}}');
    expect(shape({ $or: [{ createdAt: { $lt: 1 } }, { createdAt: 1, _id: { $lt: id } }] })).toBe('{$or: [{createdAt: {$lt: ?}}, {createdAt: ?, _id: {$lt: ?}}]}');
    // A page of 20 pairs is one shape: the text does not grow with the page, nor say its length.
    expect(shape({ _id: { $in: Array.from({ length: 20 }, (_, i) => ({ user: `u${i}`, post: `p${i}` })) } })).toBe('{_id: {$in: [{user: ?, post: ?}]}}');
    expect(describeCommand('find', { find: 'posts', filter: { _id: id }, limit: 1 })).toBe('find posts {_id: ?}');
    expect(describeCommand('update', { update: 'posts', updates: [{ q: { _id: id }, u: { $inc: { n: 1 } } }] })).toBe('update posts {_id: ?}');
    expect(describeCommand('aggregate', { aggregate: 'posts', pipeline: [{ $match: { tags: 'secret' } }, { $group: { _id: 1, n: { $sum: 1 } } }] })).toBe(
      'aggregate posts [$match {tags: ?}, $group]',
    );
    expect(describeCommand('insert', { insert: 'posts', documents: [{ title: 'secret' }] })).toBe('insert posts');
  });

  it("when operations overlap, then the store's time counts their overlap once", () => {
    expect(storeTime([], 10)).toBe(0);
    expect(storeTime([{ text: 'a', started: 0, ended: 4 }, { text: 'b', started: 2, ended: 6 }, { text: 'c', started: 8, ended: 9 }], 20)).toBe(7);
    // One still in flight counts until now.
    expect(storeTime([{ text: 'a', started: 5 }], 12)).toBe(7);
  });
});
