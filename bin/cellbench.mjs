#!/usr/bin/env node
// The `cellbench` command. `setup` is plain JavaScript because it is what installs the npm packages
// (tsx among them); every other command is TypeScript, loaded through tsx.
const [command] = process.argv.slice(2);

if (command === 'setup') {
  const { runSetup } = await import('../cli/setup.mjs');
  process.exitCode = await runSetup(process.argv.slice(3));
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error('cellbench: npm packages are not installed; run `node bin/cellbench.mjs setup` (or `npm run setup`) first');
    process.exit(1);
  }
  register();
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
