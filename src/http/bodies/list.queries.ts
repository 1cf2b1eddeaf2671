import { IsIn, IsString } from 'class-validator';
import { IsTimestamp, IsWholeNumber, Omittable } from '../field-rules';

/** Offset paging walks every skipped record: kept for old clients, and bounded. */
export const maxSkip = 10_000;

/** `-` first is newest, latest or last first; the id always breaks ties, in the same direction. */
export const postSortNames = ['-publicationDate', 'publicationDate', '-createdAt', 'createdAt', 'title', '-title'] as const;

/** Paging that every list takes. */
export class ListQuery {
  @Omittable()
  @IsWholeNumber(1, 100)
  limit?: string;

  @Omittable()
  @IsString({ message: 'cursor must be the nextCursor of an earlier page' })
  cursor?: string;

  @Omittable()
  @IsWholeNumber(0, maxSkip)
  skip?: string;

  @Omittable()
  @IsIn(['true', 'false'], { message: 'count must be true or false' })
  count?: string;
}

/** The posts of one author (the author is in the path). */
export class AuthorPostListQuery extends ListQuery {
  @Omittable()
  @IsIn(postSortNames, { message: `sort must be one of ${postSortNames.join(', ')}` })
  sort?: string;

  @Omittable()
  @IsTimestamp()
  publishedAfter?: string;

  @Omittable()
  @IsTimestamp()
  publishedBefore?: string;
}

export class PostListQuery extends AuthorPostListQuery {
  @Omittable()
  @IsString({ message: 'authorId must be a single user id' })
  authorId?: string;
}
