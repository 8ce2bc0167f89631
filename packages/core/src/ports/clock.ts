/** Time is a port so that core stays deterministic and tests control it. */
export interface Clock {
  now(): Date;
}
