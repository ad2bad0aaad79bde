import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { type ApiKeyPrincipal, type ApiKeyRole } from './api-key.store';

export const PUBLIC_ROUTE = 'aid:public-route';
export const ALLOWED_ROLES = 'aid:allowed-roles';

/** A route anyone may call without a key (health, metrics, the API documents). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The roles that may call a route (or every route of a controller). `admin` may call every
 * route; a route that names no roles is admin-only, so forgetting this decorator fails closed.
 */
export const Roles = (...roles: ApiKeyRole[]) => SetMetadata(ALLOWED_ROLES, roles);

export interface AuthenticatedRequest {
  principal: ApiKeyPrincipal;
}

/** The authenticated caller of the current request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ApiKeyPrincipal =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
