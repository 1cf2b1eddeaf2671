import { IsEmail, Matches } from 'class-validator';
import { FitsUniqueKey, IsPassword, IsText, Omittable } from '../field-rules';

/** No regex flags: the API document states this pattern, and JSON Schema patterns take none. */
const usernameRule = /^[A-Za-z0-9_-]{3,32}$/;
const usernameMessage = 'username must be 3 to 32 characters of letters, digits, _ and -';

export class CreateUserBody {
  @FitsUniqueKey(254)
  @IsEmail({}, { message: 'email must be an email address' })
  @IsText(3, 254)
  email!: string;

  @Matches(usernameRule, { message: usernameMessage })
  username!: string;

  @IsText(1, 100)
  displayName!: string;

  @IsPassword(12, 256)
  password!: string;
}

/** Only the profile: no password, id, timestamps or anything else can be changed here. */
export class UpdateUserBody {
  @Omittable()
  @FitsUniqueKey(254)
  @IsEmail({}, { message: 'email must be an email address' })
  @IsText(3, 254)
  email?: string;

  @Omittable()
  @Matches(usernameRule, { message: usernameMessage })
  username?: string;

  @Omittable()
  @IsText(1, 100)
  displayName?: string;
}
