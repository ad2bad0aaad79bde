import { NotFoundError } from '@aid/contracts';
import { type GatewayRequest } from '../http/gateway-request';

/**
 * What a partner key may read: only its communities. Anything else answers exactly as an unknown
 * id would (404 with the same message), so a partner cannot even learn that it exists.
 * The partnerships and logistics services scope their own queries by the actor; the registry is
 * scoped here (and by the `scopeCommunityIds` parameter of its lists).
 */

/** The communities a partner key is limited to; undefined for every other role (no limit). */
export function partnerCommunities(request: GatewayRequest): string[] | undefined {
  return request.principal?.role === 'partner' ? request.principal.communityIds : undefined;
}

/** Refuses, as not found, a community outside a partner key's scope. */
export function assertCommunityVisible(request: GatewayRequest, communityId: string, notFound: string): void {
  const scope = partnerCommunities(request);
  if (scope !== undefined && !scope.includes(communityId)) throw new NotFoundError(notFound);
}
