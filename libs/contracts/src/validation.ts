import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as ClassValidatorError } from 'class-validator';
import { ValidationError, type FieldError } from './errors';

function flatten(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Turns an untrusted payload into an instance of a class-validator DTO, or throws a
 * ValidationError naming every failing field (nested ones as `items.2.weightKg`). Unknown fields
 * are refused, not silently dropped, so a typo in a field name is an error the caller sees.
 */
export function validateInput<T extends object>(dto: new () => T, payload: unknown): T {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ValidationError('the body must be a JSON object', [
      { field: '(body)', message: 'must be an object' },
    ]);
  }
  const instance = plainToInstance(dto, payload, { exposeDefaultValues: true });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  if (errors.length > 0) {
    const fields = flatten(errors);
    throw new ValidationError(`invalid input: ${fields.map((f) => f.field).join(', ')}`, fields);
  }
  return instance;
}
