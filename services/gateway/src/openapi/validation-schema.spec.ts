import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { documentFromValidationRules, hasValidationRules } from './validation-schema';

class Line {
  @IsString() @Length(1, 20) label: string;
  @IsInt() @Min(0) @Max(9) grade: number;
}

class Order {
  @IsUUID() customerId: string;
  @IsOptional() @IsIn(['open', 'closed']) status?: string;
  @IsArray() @ArrayMaxSize(3) @ValidateNested({ each: true }) @Type(() => Line) lines: Line[];
  @IsOptional() @IsUUID(undefined, { each: true }) tags?: string[];
}

// Where @nestjs/swagger keeps what @ApiProperty says (its constants are not exported).
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

const propertyOf = (target: object, name: string) =>
  Reflect.getMetadata(API_MODEL_PROPERTIES, target, name) as Record<string, unknown>;

describe('OpenAPI properties from class-validator rules', () => {
  beforeAll(() => documentFromValidationRules(Order));

  it('knows a DTO by its rules', () => {
    expect(hasValidationRules(Order)).toBe(true);
    expect(hasValidationRules(String)).toBe(false);
    expect(hasValidationRules(undefined)).toBe(false);
  });

  it('documents formats, enums, bounds and whether a property is required', () => {
    expect(propertyOf(Order.prototype, 'customerId')).toMatchObject({
      required: true,
      type: 'string',
      format: 'uuid',
    });
    expect(propertyOf(Order.prototype, 'status')).toMatchObject({
      required: false,
      enum: ['open', 'closed'],
    });
    expect(propertyOf(Order.prototype, 'tags')).toMatchObject({
      required: false,
      isArray: true,
      type: String,
      format: 'uuid',
    });
  });

  it('documents nested classes and their own rules', () => {
    expect(propertyOf(Order.prototype, 'lines')).toMatchObject({ isArray: true, maxItems: 3, type: Line });
    expect(propertyOf(Line.prototype, 'label')).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 20,
    });
    expect(propertyOf(Line.prototype, 'grade')).toMatchObject({ type: 'integer', minimum: 0, maximum: 9 });
  });
});
