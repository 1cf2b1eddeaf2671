import { maxDescriptionLength } from '../../domain/post';
import { maxTagsPerPost } from '../../domain/tags';
import { maxSkip } from '../native/bodies/list.queries';
import { IsAccountEmail, IsUsername, UpdateUserBody } from '../native/bodies/user.bodies';
import { IsPassword, IsTagList, IsText, IsWholeNumber, Omittable, Trimmed } from '../field-rules';
import { ListField } from '../validation';

/*
 * The Conduit API's bodies, inside their wrapper (`{"user": …}`, `{"article": …}`, `{"comment": …}`), and its
 * list parameters. The rules are the native API's; fields these classes do not name are dropped, not refused
 * (conduit.router.ts): Conduit clients send whole records back.
 */

/** How many comments of an article `GET /api/articles/:slug/comments` answers: the newest. */
export const conduitCommentsShown = 100;

/** How many tags `GET /api/tags` answers: the most used. */
export const conduitTagsShown = 100;

export class ConduitLogin {
  @Trimmed()
  @IsText(1, 254)
  email!: string;

  @IsPassword(1, 256)
  password!: string;
}

/** `displayName` is the native API's; left out, it is the username. */
export class ConduitRegistration {
  @IsAccountEmail()
  email!: string;

  @IsUsername()
  username!: string;

  @IsPassword(12, 256)
  password!: string;

  @Omittable()
  @IsText(1, 100)
  displayName?: string;
}

/**
 * A settings form as Conduit frontends send it: every field, most unchanged. Before these rules, the facade
 * reads `"password": ""` as no change, `"image": ""` as none and `"bio": null` as empty. A new email or
 * password needs `currentPassword`, a field of this service's own.
 */
export class ConduitUserChanges extends UpdateUserBody {
  /** A new password: the sign-up rule. */
  @Omittable()
  @IsPassword(12, 256)
  password?: string;
}

export class ConduitNewArticle {
  @IsText(1, 255)
  title!: string;

  @Omittable()
  @IsText(0, maxDescriptionLength)
  description?: string;

  @IsText(1, 100_000)
  body!: string;

  @Omittable()
  @ListField()
  @IsTagList(maxTagsPerPost, { oneAllowed: false })
  tagList?: string[];
}

/** What an editor sends back; `slug`, `author` and the rest are dropped. `tagList` replaces the tags. */
export class ConduitArticleChanges {
  @Omittable()
  @IsText(1, 255)
  title?: string;

  @Omittable()
  @IsText(0, maxDescriptionLength)
  description?: string;

  @Omittable()
  @IsText(1, 100_000)
  body?: string;

  @Omittable()
  @ListField()
  @IsTagList(maxTagsPerPost, { oneAllowed: false })
  tagList?: string[];
}

export class ConduitNewComment {
  @IsText(1, 10_000)
  body!: string;
}

/** `GET /api/articles/feed`: newest first, by offset. */
export class ConduitPageQuery {
  @Omittable()
  @IsWholeNumber(1, 100)
  limit?: string;

  @Omittable()
  @IsWholeNumber(0, maxSkip)
  offset?: string;
}

/** `GET /api/articles`: the filters take one value each; usernames, not ids. */
export class ConduitArticleQuery extends ConduitPageQuery {
  @Omittable()
  @IsTagList(1, { oneAllowed: true })
  tag?: string;

  @Omittable()
  @IsText(1, 254)
  author?: string;

  @Omittable()
  @IsText(1, 254)
  favorited?: string;
}
