import { fold, ValidationError, type DomainError, type LogisticsEvent } from '@aid/contracts';
import type { ShipmentCommand } from '../shipment.commands';
import { shipmentDecider } from '../shipment.decider';
import type { ShipmentState } from '../shipment.state';

export interface Refusal {
  refused: abstract new (...args: never[]) => DomainError;
  /** A field the ValidationError must name. */
  field?: string;
  message?: RegExp;
  details?: Record<string, unknown>;
}

function isRefusal(expected: LogisticsEvent[] | Refusal): expected is Refusal {
  return !Array.isArray(expected);
}

/**
 * given(history).when(command).then(expected events | refusal). On success it also applies the
 * new events, so an event that decide emits but evolve cannot apply fails the test, and returns
 * the resulting state for further checks.
 */
export function given(history: LogisticsEvent[]) {
  return {
    when(command: ShipmentCommand) {
      return {
        then(expected: LogisticsEvent[] | Refusal): ShipmentState {
          const state = fold(shipmentDecider, history);
          if (!isRefusal(expected)) {
            const events = shipmentDecider.decide(command, state);
            expect(events).toEqual(expected);
            return fold(shipmentDecider, [...history, ...events]);
          }
          let error: unknown;
          try {
            shipmentDecider.decide(command, state);
          } catch (thrown) {
            error = thrown;
          }
          expect(error).toBeInstanceOf(expected.refused);
          if (expected.field !== undefined) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).fields.map((failing) => failing.field)).toContain(
              expected.field,
            );
          }
          if (expected.message) expect((error as Error).message).toMatch(expected.message);
          if (expected.details) expect((error as DomainError).details).toEqual(expected.details);
          return state;
        },
      };
    },
  };
}
