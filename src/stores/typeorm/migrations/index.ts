import { CreateUsersAndPosts1764057600000 } from './1764057600000-create-users-and-posts';

/** In order of application; listed by hand so that source and build load the same set. */
export const migrations = [CreateUsersAndPosts1764057600000];
