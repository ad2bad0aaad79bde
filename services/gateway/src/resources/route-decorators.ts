import { applyDecorators, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiHeader, ApiParam, ApiResponse } from '@nestjs/swagger';

const WRITE_HEADERS = [
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Retrying with the same key and body returns the first answer and appends nothing; the same key with another request is a 422',
  }),
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag (stream revision) last read; a write on any other revision is refused with 412',
  }),
  ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'Carried into the events and logs' }),
];

const WRITE_REFUSALS = [
  ApiResponse({ status: 400, description: 'Invalid body, header or id: details name each field' }),
  ApiResponse({ status: 404, description: 'Unknown id' }),
  ApiResponse({ status: 409, description: 'Illegal transition, or a concurrent change' }),
  ApiResponse({ status: 412, description: 'If-Match does not match the current revision' }),
  ApiResponse({ status: 422, description: 'Idempotency-Key already used for another request' }),
  ApiResponse({ status: 503, description: 'The owning service did not answer' }),
];

/** The `:id` of a path, documented as the UUID it must be. */
function idParameter(path: string | undefined): MethodDecorator[] {
  return path?.includes(':id') ? [ApiParam({ name: 'id', format: 'uuid', type: String })] : [];
}

/** POST that creates an aggregate: 201 {id, revision, position} with ETag. */
export function CreateRoute(path?: string): MethodDecorator {
  return applyDecorators(
    Post(path),
    HttpCode(HttpStatus.CREATED),
    ...WRITE_HEADERS,
    ApiResponse({ status: 201, description: 'Created: {id, revision, position}; ETag: "<revision>"' }),
    ...WRITE_REFUSALS,
  );
}

/** POST of a command on the aggregate the path names: 200 {id, revision, position} with ETag. */
export function CommandRoute(path: string): MethodDecorator {
  return applyDecorators(
    Post(path),
    HttpCode(HttpStatus.OK),
    ...idParameter(path),
    ...WRITE_HEADERS,
    ApiResponse({ status: 200, description: 'Recorded: {id, revision, position}; ETag: "<revision>"' }),
    ...WRITE_REFUSALS,
  );
}

/** GET of one resource: the read model with its revision, ETag: "<revision>". */
export function ResourceRoute(path: string): MethodDecorator {
  return applyDecorators(
    Get(path),
    ...idParameter(path),
    ApiResponse({ status: 200, description: 'The resource, with its revision; ETag: "<revision>"' }),
    ApiResponse({ status: 400, description: 'Invalid id or parameter' }),
    ApiResponse({ status: 404, description: 'Unknown id, or outside a partner key’s communities' }),
  );
}

/** GET of a list: {items, next?}; pass `next` back to get the following page. */
export function ListRoute(path?: string): MethodDecorator {
  return applyDecorators(
    Get(path),
    ApiResponse({ status: 200, description: '{items, next?}' }),
    ApiResponse({ status: 400, description: 'Invalid query parameter: details name each' }),
  );
}
