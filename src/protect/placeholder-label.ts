const SIMPLE = /^[a-z](?:[a-z_]*[a-z])?$/

/**
 * The upper-case label an entity type is written as in masks and placeholders: `email` → `EMAIL`,
 * `ssn-us` → `SSN_US`. Only `[A-Z0-9_]` survives, so a label is one ASCII word: restoration finds
 * placeholders as whole word runs, and a label with other characters could never be found again.
 */
export const placeholderLabel = (type: string): string => {
  // The common case, built-in and most custom types (`email`, `ssn_us`): nothing to rewrite.
  if (SIMPLE.test(type)) return type.toUpperCase()
  // A label ending in `_<digits>` would read as a placeholder core: the mask of type `x_1`, `[X_1]`,
  // would be the first placeholder of type `x`. So `x_1` is written `X1`.
  const label = type
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_')
    // The whole trailing run of digits and underscores: `_0_0` must not become `_00`.
    .replace(/[_0-9]+$/, (tail) => tail.replace(/_/g, ''))
  // An empty label would make placeholders like `[_1]`, which read as nothing to a model.
  return label === '' ? 'ENTITY' : label
}
