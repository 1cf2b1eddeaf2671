import { IsPassword, IsText } from '../field-rules';

export class LoginBody {
  @IsText(1, 254)
  email!: string;

  /** Any length a password may have; the sign-up rule is not repeated here. */
  @IsPassword(1, 256)
  password!: string;
}
