import { IsText } from '../../field-rules';

/** The post and the author come from the path and the token: naming either here is a 400 like any unknown field. */
export class CreateCommentBody {
  /** The text rule of a post's content, shorter. */
  @IsText(1, 10_000)
  content!: string;
}
