import { GatewayError } from "../../core/errors";
import { INTERRUPTED_BY_SHUTDOWN, type Lifecycle } from "../../core/lifecycle";

/** The answer to a request that arrives while the gateway drains: it should go to another instance. */
export const drainingError = () =>
  new GatewayError(503, "unavailable", "the gateway is shutting down; retry on another instance");

/** The error a request still in flight when the shutdown grace ends is answered with. */
export const interruptedError = () => new GatewayError(503, "unavailable", INTERRUPTED_BY_SHUTDOWN);

/**
 * `answer`, unless the shutdown grace ends first: then `onInterrupt`'s answer. The work behind `answer` is
 * left to end on its own (its record is already made, so it makes no second one).
 */
export function untilInterrupted<T>(
  answer: Promise<T>,
  lifecycle: Lifecycle,
  onInterrupt: () => T,
): Promise<T> {
  if (lifecycle.interrupted.aborted) return Promise.resolve(onInterrupt());
  return new Promise<T>((resolve, reject) => {
    const cancel = lifecycle.whenInterrupted(() => resolve(onInterrupt()));
    answer.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err) => {
        cancel();
        reject(err);
      },
    );
  });
}
