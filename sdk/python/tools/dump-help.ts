// Prints the TS CLI's help texts as JSON (input of tools/gen_help.py). From the repo root:
//   npx tsx --conditions=@flk/source sdk/python/tools/dump-help.ts > /tmp/help.json
//   python3 sdk/python/tools/gen_help.py /tmp/help.json
import * as help from '../../../apps/cli/src/help.js';
process.stdout.write(JSON.stringify(help));
