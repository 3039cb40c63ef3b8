/**
 * Engine events → the CLI's {@link RunEvent}s (which mirror engine v2's). The v1 engine fires `truncation`
 * on every estimate with β̂ and δ̂; that becomes an `estimate` event, plus a `truncation` event when K changed.
 * v2: `estimate`, `truncation` (on change), `bias`, `checkpointFailed` and `learningRate` pass through.
 */
import type { TrainEvent } from '@tbptt/core';
import type { RunEvent } from '../run-events';

/** A mapper for one run; `steps` is the training stream's length (v2's step events carry it). */
export function createEventMapper(steps: number): (event: TrainEvent) => RunEvent[] {
  return (event) => {
    switch (event.type) {
      case 'step':
        return [{ ...event, steps }];
      case 'truncation': {
        const estimate: RunEvent = {
          type: 'estimate',
          update: event.update,
          truncation: event.from,
          estimates: event.estimates,
          chosen: event.to,
          beta: event.beta,
          deltaAtCurrent: event.deltaAtFrom,
          deltaAtChosen: event.deltaAtTo,
          seconds: event.seconds,
        };
        if (event.from === event.to) return [estimate];
        return [estimate, { type: 'truncation', update: event.update, from: event.from, to: event.to, reason: 'estimate' }];
      }
      default:
        return [event as RunEvent];
    }
  };
}

/** K over the run: the initial K, then every change (v2's TrainResult carries it). */
export function truncationHistory(initial: number, events: readonly RunEvent[]): { update: number; K: number }[] {
  const history = [{ update: 0, K: initial }];
  for (const event of events) if (event.type === 'truncation') history.push({ update: event.update, K: event.to });
  return history;
}
