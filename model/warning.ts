/** A warning is data: what was seen, why it matters, what to do. */
import { Type, type Static } from '@sinclair/typebox';

export const Warning = Type.Object({
  /** Stable code, e.g. `memory-filesystem`, `write-back-cache`, `implausible-sync`, `noisy`. */
  code: Type.String(),
  message: Type.String(),
  remedy: Type.String(),
});
export type Warning = Static<typeof Warning>;
