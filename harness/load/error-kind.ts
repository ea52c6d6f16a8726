// Failures without an HTTP status, in the four kinds the report and the gate speak.
export type ErrorKind = 'timeout' | 'reset' | 'refused' | 'other';

export function errorKindOf(code: string | undefined): ErrorKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case undefined: // the server closed the connection with the request unanswered
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}
