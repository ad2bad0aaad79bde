import { type Decider, type DomainError, type DomainEvent, fold } from '@aid/contracts';

/*
 * Decider tests read as given (the stream so far) / when (a command) / then (the events it
 * causes, or the refusal):
 *   given(decider, [registered]).when(command).then([changed]);
 *   given(decider, []).when(command).thenRefuses(NotFoundError, { fields: ['parentCommunityId'] });
 */

interface Refusal {
  /** Matched against the error's message. */
  message?: RegExp;
  /** The fields the error names, in any order. */
  fields?: string[];
}

function fieldsOf(error: DomainError): string[] {
  return Array.isArray(error.details) ? error.details.map((detail) => detail.field) : [];
}

export function given<TCommand, TEvent extends DomainEvent, TState>(
  decider: Decider<TCommand, TEvent, TState>,
  history: TEvent[],
) {
  return {
    when(command: TCommand) {
      const decide = () => decider.decide(command, fold(decider, history));
      return {
        then(expected: TEvent[]): void {
          expect(decide()).toEqual(expected);
        },
        thenRefuses(
          errorClass: abstract new (...args: never[]) => DomainError,
          refusal: Refusal = {},
        ): DomainError {
          let thrown: unknown;
          try {
            const events = decide();
            thrown = new Error(`expected a ${errorClass.name}, got events ${JSON.stringify(events)}`);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(errorClass);
          const error = thrown as DomainError;
          if (refusal.message) expect(error.message).toMatch(refusal.message);
          if (refusal.fields) expect(fieldsOf(error).sort()).toEqual([...refusal.fields].sort());
          return error;
        },
      };
    },
  };
}
