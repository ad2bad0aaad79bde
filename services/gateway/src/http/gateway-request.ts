import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type ApiKeyPrincipal } from '../auth';

/**
 * An HTTP request as the gateway sees it: Node's request with what Express adds (the gateway runs
 * on Express; its typings are not installed, so the few fields used are named here) and what the
 * gateway adds while it handles the request.
 */
export interface GatewayRequest extends IncomingMessage {
  originalUrl: string;
  /** Parsed JSON body; undefined without one. */
  body?: unknown;
  /** The response Express links to the request. */
  res?: ServerResponse;
  /** The route that matched, once routing is done (Express). */
  route?: { path?: unknown };
  baseUrl?: string;
  /** Set by the request-logging middleware: this request's own id, the causation id of what it causes. */
  requestId?: string;
  /** Set by the ApiKeyGuard on routes that need a key. */
  principal?: ApiKeyPrincipal;
}

/** The first value of a request header, trimmed; undefined when absent or empty. */
export function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
