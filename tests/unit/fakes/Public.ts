/**
 * The public face of a class: what its callers may use. A fake implements
 * `Public<RealClass>`, so a change of the real class's API breaks the fake at
 * compile time; {@link asReal} hands it to code that takes the real class
 * (whose private members are no business of its callers).
 */
export type Public<T> = { [K in keyof T]: T[K] };

/** The fake, where the real class is taken. */
export function asReal<T>(fake: Public<NoInfer<T>>): T {
  return fake;
}
