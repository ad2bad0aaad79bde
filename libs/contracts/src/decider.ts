/**
 * Every aggregate is a Decider: pure functions, no Nest, no I/O, no clock. The generic command
 * handler loads the stream, folds it with `evolve` from `initialState`, calls `decide`, and
 * appends what it returns with the expected revision.
 */
export interface DomainEvent<TType extends string = string, TData extends object = object> {
  type: TType;
  data: TData;
}

export interface Decider<TCommand, TEvent extends DomainEvent, TState> {
  initialState: TState;
  evolve(state: TState, event: TEvent): TState;
  /** Returns the events the command causes, or throws a DomainError saying why it is refused. */
  decide(command: TCommand, state: TState): TEvent[];
}

export function fold<TEvent extends DomainEvent, TState>(
  decider: Pick<Decider<unknown, TEvent, TState>, 'initialState' | 'evolve'>,
  events: Iterable<TEvent>,
): TState {
  let state = decider.initialState;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
