import { maxDescriptionLength } from '../../../domain/post';
import { maxTagsPerPost } from '../../../domain/tags';
import { IsTagList, IsText, IsTimestamp, Omittable } from '../../field-rules';
import { ListField } from '../../validation';

/** The author is the caller: an `authorId` here is a 400 like any unknown field. */
export class CreatePostBody {
  @IsText(1, 255)
  title!: string;

  @Omittable()
  @IsText(0, maxDescriptionLength)
  description?: string;

  @IsText(1, 100_000)
  content!: string;

  @Omittable()
  @IsTimestamp()
  publicationDate?: string;
  /** Normalized, deduplicated and sorted before they are stored. */
  @Omittable()
  @ListField()
  @IsTagList(maxTagsPerPost, { oneAllowed: false })
  tags?: string[];
}

/** `authorId` is not here: a post never changes author, and naming it is a 400. */
export class UpdatePostBody {
  @Omittable()
  @IsText(1, 255)
  title?: string;

  @Omittable()
  @IsText(0, maxDescriptionLength)
  description?: string;

  @Omittable()
  @IsText(1, 100_000)
  content?: string;

  @Omittable()
  @IsTimestamp()
  publicationDate?: string;
  /** Replaces the whole set; `[]` removes every tag. */
  @Omittable()
  @ListField()
  @IsTagList(maxTagsPerPost, { oneAllowed: false })
  tags?: string[];
}
