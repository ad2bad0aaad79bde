import { type INestApplication } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentFromValidationRules, hasValidationRules } from './validation-schema';

export const OPENAPI_PATH = 'docs';

/**
 * The OpenAPI document of every HTTP route, served at /docs (and as JSON at /docs-json), built by
 * @nestjs/swagger from the controllers and the class-validator rules of the DTOs they take.
 */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  for (const dto of controllerDtos(app)) documentFromValidationRules(dto);
  const config = new DocumentBuilder()
    .setTitle('Aid ledger')
    .setDescription(
      'Partnerships of Ukrainian communities and the humanitarian aid that flows along them. ' +
        'Every route but /health, /metrics and /docs needs `Authorization: Bearer <API key>`. ' +
        'Errors are {statusCode, error, message, details?}; see docs/gateway.md.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}-json` });
  return document;
}

/** The DTO classes the controllers' handlers take (bodies and queries), found by their parameter types. */
function controllerDtos(app: INestApplication): Set<new () => object> {
  const dtos = new Set<new () => object>();
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
    if (!prototype) continue;
    for (const method of Object.getOwnPropertyNames(prototype)) {
      const types = Reflect.getMetadata('design:paramtypes', prototype, method) as unknown[] | undefined;
      for (const type of types ?? []) if (hasValidationRules(type)) dtos.add(type);
    }
  }
  return dtos;
}
