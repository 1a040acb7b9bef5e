// The few primitives every part of the core and its shell share: the clock, randomness and the
// ids of actions (their results come back as inputs).

/** Monotonic milliseconds (the shell uses performance.now()-based time; the simulator its fake clock). */
export type MonoMs = number;

/** Injected randomness; next() returns a float in [0, 1). */
export interface Random {
  next(): number;
}

/** Ids the core gives to actions so their results can come back as inputs. */
export type ActionId = number;
