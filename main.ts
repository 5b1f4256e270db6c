/** The composition root: the one place that hands the channel adapters to the core's command line and server. */
import { allChannels } from './channels/index.ts';
import { runCli } from './src/cli/main.ts';

await runCli(process.argv, allChannels);
