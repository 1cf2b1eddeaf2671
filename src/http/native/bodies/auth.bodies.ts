import { IsPassword, IsText, Trimmed } from '../../field-rules';

export class LoginBody {
  /** Refused with white space around it, as at sign-up: every store then reads the same key. */
  @Trimmed()
  @IsText(1, 254)
  email!: string;

  /** Any length a password may have; the sign-up rule is not repeated here. */
  @IsPassword(1, 256)
  password!: string;
}
