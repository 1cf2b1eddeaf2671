import { IsText, IsTimestamp, Omittable } from '../field-rules';

/** The author is the caller: an `authorId` here is a 400 like any unknown field. */
export class CreatePostBody {
  @IsText(1, 255)
  title!: string;

  @IsText(1, 100_000)
  content!: string;

  @Omittable()
  @IsTimestamp()
  publicationDate?: string;
}

/** `authorId` is not here: a post never changes author, and naming it is a 400. */
export class UpdatePostBody {
  @Omittable()
  @IsText(1, 255)
  title?: string;

  @Omittable()
  @IsText(1, 100_000)
  content?: string;

  @Omittable()
  @IsTimestamp()
  publicationDate?: string;
}
