import { type AccountOptions, Accounts } from '../auth/accounts';
import type { Store } from '../domain/repositories';
import { Comments } from './comments';
import { Posts } from './posts';
import { Profiles } from './profiles';

/** Every use case over one store: what each HTTP surface calls, translating only shapes, names and errors. */
export interface UseCases {
  accounts: Accounts;
  posts: Posts;
  profiles: Profiles;
  comments: Comments;
}

export function useCases(store: Store, accounts: AccountOptions): UseCases {
  return { accounts: new Accounts(store, accounts), posts: new Posts(store), profiles: new Profiles(store), comments: new Comments(store) };
}
