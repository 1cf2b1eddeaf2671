import { CreateUsersAndPosts1764057600000 } from './1764057600000-create-users-and-posts';
import { AddPasswordsAndSessions1764144000000 } from './1764144000000-add-passwords-and-sessions';
import { AddVersions1764230400000 } from './1764230400000-add-versions';
import { AddIdempotencyKeys1764316800000 } from './1764316800000-add-idempotency-keys';
import { AddListOrders1764403200000 } from './1764403200000-add-list-orders';
import { AddTagsAndSearchKeys1764489600000 } from './1764489600000-add-tags-and-search-keys';
import { AddIdempotencyKeyOwners1764576000000 } from './1764576000000-add-idempotency-key-owners';
import { CompareUserKeysWithoutPadding1764662400000 } from './1764662400000-compare-user-keys-without-padding';
import { AddProfiles1764748800000 } from './1764748800000-add-profiles';
import { AddComments1764835200000 } from './1764835200000-add-comments';
import { AddFollows1764921600000 } from './1764921600000-add-follows';
import { AddFavorites1765008000000 } from './1765008000000-add-favorites';
import { AddPostDescriptions1765180800000 } from './1765180800000-add-post-descriptions';
import { AddCopyProgress1765267200000 } from './1765267200000-add-copy-progress';

/** In order of application; listed by hand so that source and build load the same set. */
export const migrations = [
  CreateUsersAndPosts1764057600000,
  AddPasswordsAndSessions1764144000000,
  AddVersions1764230400000,
  AddIdempotencyKeys1764316800000,
  AddListOrders1764403200000,
  AddTagsAndSearchKeys1764489600000,
  AddIdempotencyKeyOwners1764576000000,
  CompareUserKeysWithoutPadding1764662400000,
  AddProfiles1764748800000,
  AddComments1764835200000,
  AddFollows1764921600000,
  AddFavorites1765008000000,
  AddPostDescriptions1765180800000,
  AddCopyProgress1765267200000,
];
