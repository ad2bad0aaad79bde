import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type IncomingHttpHeaders } from 'node:http';
import { ALLOWED_ROLES, type AuthenticatedRequest, PUBLIC_ROUTE } from './auth.decorators';
import { type ApiKeyRole, ApiKeyStore } from './api-key.store';

/** Every HTTP route needs a live key (401) whose role the route allows (403), unless @Public. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // NATS message handlers of the gateway (health pings) are not HTTP routes.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context
      .switchToHttp()
      .getRequest<AuthenticatedRequest & { headers: IncomingHttpHeaders }>();
    const key = bearerToken(request.headers.authorization);
    if (!key) throw new UnauthorizedException('an API key is required: Authorization: Bearer <key>');
    const principal = await this.keys.authenticate(key);
    if (!principal) throw new UnauthorizedException('unknown or revoked API key');
    request.principal = principal;

    const allowed = this.reflector.getAllAndOverride<ApiKeyRole[] | undefined>(ALLOWED_ROLES, targets) ?? [];
    if (principal.role === 'admin' || allowed.includes(principal.role)) return true;
    throw new ForbiddenException(
      `role ${principal.role} may not call this route (allowed: ${['admin', ...allowed].join(', ')})`,
    );
  }
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}
