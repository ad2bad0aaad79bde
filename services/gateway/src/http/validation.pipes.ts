import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { validateInput, ValidationError } from '@aid/contracts';

const PRIMITIVES: unknown[] = [String, Number, Boolean, Object, Array];

/**
 * Validates every @Body() and @Query() whose type is a DTO class (from @aid/contracts) with the
 * services' own validateInput: unknown fields refused, every failing field named. A body that is
 * not a JSON object (an array, a string, nothing) is refused the same way.
 */
@Injectable()
export class ContractValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { type, metatype } = metadata;
    if ((type !== 'body' && type !== 'query') || metatype === undefined || PRIMITIVES.includes(metatype)) {
      return value;
    }
    // Query strings arrive as an object without a prototype; validateInput wants a plain object.
    const payload = type === 'query' ? { ...(value as object) } : value;
    return validateInput(metatype as new () => object, payload);
  }
}

/** A path segment that must be a UUID (the ids of communities, shipments, keys...): 400 otherwise. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (isUUID(value)) return value.toLowerCase();
    const field = metadata.data ?? 'id';
    throw new ValidationError(`${field} must be a UUID`, [{ field, message: 'must be a UUID' }]);
  }
}
