import { type FrontlineStatus } from '@aid/contracts';

export interface RecordedFrontlineChange {
  status: FrontlineStatus;
  effectiveFrom: string;
  /** Global position: of two changes effective the same day, the one recorded later corrects the other. */
  position: number;
}

/**
 * The status in effect on a day (YYYY-MM-DD): the change with the latest effectiveFrom not after
 * it, the same rule as the communities service's status-on-date. Undefined before any change.
 */
export function frontlineStatusOn(
  changes: readonly RecordedFrontlineChange[],
  day: string,
): FrontlineStatus | undefined {
  let inEffect: RecordedFrontlineChange | undefined;
  for (const change of changes) {
    if (change.effectiveFrom > day) continue;
    if (
      inEffect === undefined ||
      change.effectiveFrom > inEffect.effectiveFrom ||
      (change.effectiveFrom === inEffect.effectiveFrom && change.position > inEffect.position)
    ) {
      inEffect = change;
    }
  }
  return inEffect?.status;
}
