import { ErrorCode, StatsdError, invalidOption } from '../src/errors.js';

describe('invalidOption', () => {
  it('names the option, the value and the expectation', () => {
    const error = invalidOption('port', 70000, 'an integer from 1 to 65535');
    expect(error).toBeInstanceOf(StatsdError);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toBe(
      'Invalid option `port`: received 70000, expected an integer from 1 to 65535.',
    );
  });
});
