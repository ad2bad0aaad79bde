import { knownErrorBody } from './http-error.filter';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('knownErrorBody: the database being unavailable is an outage, not a bug', () => {
  it.each([
    ['too many clients', pgError('53300', 'sorry, too many clients already')],
    ['server shutting down', pgError('57P01', 'terminating connection due to administrator command')],
    ['server starting', pgError('57P03', 'the database system is starting up')],
    ['connection refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection dropped', new Error('Connection terminated unexpectedly')],
    ['pool exhausted', new Error('timeout exceeded when trying to connect')],
  ])('%s answers 503', (_name, error) => {
    expect(knownErrorBody(error)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
  });

  it('leaves other errors (bugs) to the 500 path', () => {
    expect(knownErrorBody(new TypeError('x is undefined'))).toBeNull();
    expect(knownErrorBody(pgError('42P01', 'relation "nope" does not exist'))).toBeNull();
  });
});
