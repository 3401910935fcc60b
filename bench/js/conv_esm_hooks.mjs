// conv_esm_hooks.mjs: a module resolve hook for conv_tfjs.mjs. tfjs-core's
// ES module files (dist/*.js, where register_all_gradients lives) import
// each other without the ".js" extension, which node's ES module loader
// refuses; this hook retries such relative imports with ".js" added.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if ((err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'ERR_UNSUPPORTED_DIR_IMPORT') && specifier.startsWith('.') && !specifier.endsWith('.js'))
      return next(specifier + '.js', context);
    throw err;
  }
}
