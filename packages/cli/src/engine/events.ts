/**
 * Engine events → the CLI's {@link RunEvent}s, the format of metrics.jsonl. They follow engine v2's events;
 * the names that differ are mapped here so the metrics format does not move with the engine's.
 */
import type { TrainEvent } from '@tbptt/core';
import type { RunEvent } from '../run-events';

export function mapEvent(event: TrainEvent): RunEvent[] {
  switch (event.type) {
    case 'estimate':
      return [
        {
          type: 'estimate',
          update: event.update,
          truncation: event.current,
          estimates: event.estimates,
          chosen: event.chosen,
          beta: event.beta,
          deltaAtCurrent: event.deltaAtCurrent,
          deltaAtChosen: event.deltaAtChosen,
          seconds: event.seconds,
        },
      ];
    case 'truncation':
      return [{ ...event, reason: 'estimate' }];
    case 'bias': {
      const { deltaAtTruncation, ...rest } = event;
      return [{ ...rest, deltaAtK: deltaAtTruncation }];
    }
    case 'evaluate': {
      const { seconds: _, ...rest } = event;
      return [rest];
    }
    default:
      return [event];
  }
}
