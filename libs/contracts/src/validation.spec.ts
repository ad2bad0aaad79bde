import { Type } from 'class-transformer';
import { IsNumber, IsString, ValidateNested, IsArray, Min } from 'class-validator';
import { ValidationError } from './errors';
import { validateInput } from './validation';

class Item {
  @IsString() description: string;
  @IsNumber() @Min(0.001) weightKg: number;
}
class Order {
  @IsString() name: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Item) items: Item[];
}

describe('validateInput', () => {
  it('returns a typed instance for valid input', () => {
    const order = validateInput(Order, {
      name: 'Житомир',
      items: [{ description: 'борошно', weightKg: 12000.5 }],
    });
    expect(order).toBeInstanceOf(Order);
    expect(order.items[0]).toBeInstanceOf(Item);
  });

  it('names every failing field, nested ones by path', () => {
    try {
      validateInput(Order, { name: 7, items: [{ description: 'x', weightKg: 0 }] });
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).fields.map((f) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'items.0.weightKg']));
    }
  });

  it('refuses unknown fields and non-objects', () => {
    expect(() => validateInput(Order, { name: 'a', items: [], extra: 1 })).toThrow(/extra/);
    expect(() => validateInput(Order, [1])).toThrow(ValidationError);
  });
});
