import { IsIn, IsString } from 'class-validator';
import { maxTagsPerPost } from '../../../domain/tags';
import { IsTagList, IsText, IsTimestamp, IsWholeNumber, Omittable } from '../../field-rules';
import { ListField } from '../../validation';

/** Offset paging walks every skipped record: kept for old clients, and bounded. */
export const maxSkip = 10_000;

/** `-` first is newest, latest or last first; the id always breaks ties, in the same direction. */
export const postSortNames = ['-publicationDate', 'publicationDate', '-createdAt', 'createdAt', 'title', '-title'] as const;

/** Paging that every list takes. */
export class CursorQuery {
  @Omittable()
  @IsWholeNumber(1, 100)
  limit?: string;

  @Omittable()
  @IsString({ message: 'cursor must be the nextCursor of an earlier page' })
  cursor?: string;
}

/** Lists of records also take the slow offset path and a total. */
export class ListQuery extends CursorQuery {
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

  /** Repeatable: a post must carry every tag named. */
  @Omittable()
  @ListField()
  @IsTagList(maxTagsPerPost, { oneAllowed: true })
  tag?: string | string[];

  /** Searched for in titles and contents, case-folded. */
  @Omittable()
  @IsText(1, 100)
  q?: string;
}

export class PostListQuery extends AuthorPostListQuery {
  @Omittable()
  @IsString({ message: 'authorId must be a single user id' })
  authorId?: string;

  /** Posts this user favorites. */
  @Omittable()
  @IsString({ message: 'favoritedBy must be a single user id' })
  favoritedBy?: string;
}
