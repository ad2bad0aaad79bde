import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateApiKey, NotFoundError, ValidationError, type FieldError } from '@aid/contracts';
import { ApiKeyStore, type ApiKeyView } from '../auth';
import { IDEMPOTENCY_KEY_HEADER } from '../backend/backend';
import { type GatewayRequest, headerOf } from '../http/gateway-request';
import { UuidParamPipe } from '../http/validation.pipes';

/**
 * API keys, admin only (a route without @Roles is admin-only). A key is shown once, when it is
 * created, and stored only as a hash; lists show everything else.
 */
@ApiTags('api keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyStore) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiResponse({ status: 201, description: '{id, key}: the key is shown this once' })
  @ApiResponse({
    status: 400,
    description: 'Invalid body; or an Idempotency-Key, which key creation refuses',
  })
  async create(
    @Body() body: CreateApiKey,
    @Req() request: GatewayRequest,
  ): Promise<{ id: string; key: string }> {
    // A retry could only answer the first key again by storing it in the clear; better to refuse.
    if (headerOf(request, IDEMPOTENCY_KEY_HEADER) !== undefined) {
      const message =
        'is not accepted here: a key is shown once and never stored, so a retry could not answer it again; revoke a key created twice';
      throw new ValidationError(`Idempotency-Key ${message}`, [{ field: 'Idempotency-Key', message }]);
    }
    const problems = scopeProblems(body);
    if (problems.length > 0) throw new ValidationError(`invalid input: communityIds`, problems);
    return this.keys.create({
      name: body.name.trim(),
      role: body.role,
      communityIds: (body.communityIds ?? []).map((id) => id.toLowerCase()),
      organisationId: body.organisationId?.toLowerCase() ?? null,
    });
  }

  @Get()
  @ApiResponse({
    status: 200,
    description: '{items}: every key, revoked ones with revokedAt; never the key itself',
  })
  async list(): Promise<{ items: ApiKeyView[] }> {
    return { items: await this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiResponse({ status: 204, description: 'Revoked: the key answers 401 from now on' })
  @ApiResponse({ status: 404, description: 'No live key has this id' })
  async revoke(@Param('id', UuidParamPipe) id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw new NotFoundError(`no live API key has id ${id}`);
  }
}

/** A partner key needs its communities; the other roles see everything, so a list would mislead. */
function scopeProblems(body: CreateApiKey): FieldError[] {
  const count = body.communityIds?.length ?? 0;
  if (body.role === 'partner' && count === 0) {
    return [{ field: 'communityIds', message: 'a partner key needs at least one community' }];
  }
  if (body.role !== 'partner' && count > 0) {
    return [
      { field: 'communityIds', message: `only partner keys are scoped to communities, not ${body.role}` },
    ];
  }
  return [];
}
