import { QueryFailedError } from 'typeorm';
import { errorForLog } from '../src/http/error-handler';

describe('errors in the log', () => {
  it('when a query fails, then the log keeps its kind, code and message but not its SQL or parameters', () => {
    const driverError = Object.assign(new Error("Data too long for column 'email_key' at row 1"), {
      code: 'ER_DATA_TOO_LONG',
      sql: "INSERT INTO `users` VALUES ('ada@example.com', '$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA')",
    });
    const error = new QueryFailedError('INSERT INTO `users` VALUES (?, ?)', ['ada@example.com', '$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA'], driverError);

    const logged = errorForLog(error);

    expect(logged).toMatchObject({ type: 'QueryFailedError', code: 'ER_DATA_TOO_LONG', message: "Data too long for column 'email_key' at row 1" });
    expect(JSON.stringify(logged)).not.toMatch(/ada@example\.com|\$scrypt\$|INSERT/);
  });

  it('when something that is not an Error is thrown, then its text is kept', () => {
    expect(errorForLog('boom')).toEqual({ message: 'boom' });
  });
});
