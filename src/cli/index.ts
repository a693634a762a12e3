// `--version` answers before anything else is loaded, so checking the CLI costs little more than Node itself.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { VERSION } = await import('../version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./program.js');
  await main(process.argv);
}
