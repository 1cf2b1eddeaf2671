import { IsWholeNumber, Omittable } from '../field-rules';

const maxSkip = 2_147_483_647;
const maxLimit = 100;

export class PageQuery {
  @Omittable()
  @IsWholeNumber(0, maxSkip)
  skip?: string;

  @Omittable()
  @IsWholeNumber(1, maxLimit)
  limit?: string;
}
