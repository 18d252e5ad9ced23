// `npm run scenarios`: `ota-hil scenarios` (harness/cli/scenarios.ts) from the repository.
import { register } from 'tsx/esm/api';

register();
const { scenariosCommand } = await import('./scenarios.ts');
process.exit(scenariosCommand(process.argv.slice(2)));
