import { fold, type Decider, type DomainError, type DomainEvent, type FieldError } from '@aid/contracts';

/**
 * Test helper for deciders: `given(history).when(command).then(events)` or
 * `.thenRefuses(ErrorClass, { message, field })`. Only spec files import it.
 */
export function givenWhenThen<TCommand, TEvent extends DomainEvent, TState>(
  decider: Decider<TCommand, TEvent, TState>,
) {
  return function given(history: TEvent[]) {
    return {
      when(command: TCommand) {
        const decide = () => decider.decide(command, fold(decider, history));
        return {
          /** Asserts the exact events (no stray `undefined` fields) and returns the history they extend. */
          then(expected: TEvent[]): TEvent[] {
            const events = decide();
            expect(events).toStrictEqual(expected);
            const extended = [...history, ...events];
            fold(decider, extended); // the decider must be able to read back what it wrote
            return extended;
          },
          thenRefuses(
            errorClass: abstract new (...args: never[]) => DomainError,
            expected: { message?: RegExp; field?: string } = {},
          ): DomainError {
            let events: TEvent[];
            try {
              events = decide();
            } catch (error) {
              expect(error).toBeInstanceOf(errorClass);
              const refusal = error as DomainError;
              if (expected.message) expect(refusal.message).toMatch(expected.message);
              if (expected.field) {
                const fields = Array.isArray(refusal.details)
                  ? refusal.details.map((f: FieldError) => f.field)
                  : [];
                expect(fields).toContain(expected.field);
              }
              return refusal;
            }
            throw new Error(
              `expected a ${errorClass.name}, but the decider emitted ${JSON.stringify(events)}`,
            );
          },
        };
      },
    };
  };
}
