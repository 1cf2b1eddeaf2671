import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Omittable } from '../field-rules';

/** Query values arrive as strings; only plain digits become numbers, so `1e3`, ` 5` and `` stay invalid. */
const digits = Transform(({ value }) => (typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value));

export class PageQuery {
  @Omittable()
  @digits
  @IsInt({ message: 'skip must be a whole number' })
  @Min(0)
  @Max(2_147_483_647)
  skip?: number;

  @Omittable()
  @digits
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(100)
  limit?: number;
}
