// Module resolution hook: `uvu` means the guarded suites, except inside them (they load the real one).
const GUARDED = new URL('./guarded-uvu.js', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'uvu' && context.parentURL !== GUARDED) return { url: GUARDED, shortCircuit: true };
  return next(specifier, context);
}
