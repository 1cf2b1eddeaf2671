import { Matches } from 'class-validator';
import { IsEmailAddress, IsHttpUrlOrNull, IsPassword, IsText, Omittable, Trimmed, maxUrlLength } from '../../field-rules';

/** No regex flags: the API document states this pattern, and JSON Schema patterns take none. */
export const usernameRule = /^[A-Za-z0-9_-]{3,32}$/;
export const usernameMessage = 'username must be 3 to 32 characters of letters, digits, _ and -';
export const maxBioLength = 1_000;

/** An account's email: the rules of every body that sets one, in the order they are checked. */
export function IsAccountEmail(): PropertyDecorator {
  return (target, property) => {
    IsText(3, 254)(target, property);
    Trimmed()(target, property);
    IsEmailAddress(254)(target, property);
  };
}

/** A username: the rules of every body that sets one, in the order they are checked. */
export function IsUsername(): PropertyDecorator {
  return (target, property) => {
    Trimmed()(target, property);
    Matches(usernameRule, { message: usernameMessage })(target, property);
  };
}

export class CreateUserBody {
  @IsAccountEmail()
  email!: string;

  @IsUsername()
  username!: string;

  @IsText(1, 100)
  displayName!: string;

  /** Empty when left out. */
  @Omittable()
  @IsText(0, maxBioLength)
  bio?: string;

  /** None when left out. */
  @Omittable()
  @IsHttpUrlOrNull(maxUrlLength)
  image?: string | null;

  @IsPassword(12, 256)
  password!: string;
}

/**
 * Only the profile: no password, id, timestamps or anything else can be
 * changed here. A change of email needs the current password too.
 */
export class UpdateUserBody {
  @Omittable()
  @IsAccountEmail()
  email?: string;

  @Omittable()
  @IsUsername()
  username?: string;

  @Omittable()
  @IsText(1, 100)
  displayName?: string;

  /** `""` empties it. */
  @Omittable()
  @IsText(0, maxBioLength)
  bio?: string;

  /** `null` removes it. */
  @Omittable()
  @IsHttpUrlOrNull(maxUrlLength)
  image?: string | null;

  /** Required with `email` (users.router.ts checks it); any length a password may have. */
  @Omittable()
  @IsPassword(1, 256)
  currentPassword?: string;
}

/** What deleting an account takes: the password, so that a stolen token alone cannot. */
export class DeleteUserBody {
  @IsPassword(1, 256)
  currentPassword!: string;
}

export class ChangePasswordBody {
  @IsPassword(1, 256)
  currentPassword!: string;

  @IsPassword(12, 256)
  newPassword!: string;
}
