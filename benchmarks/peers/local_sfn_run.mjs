// Runs one workload through aws-local-stepfunctions, for benchmarks/peer_bench.py.
// argv: package folder (where `npm install aws-local-stepfunctions` put node_modules), definition, input.
// Waits and retry intervals are overridden to 0 ms (sfn runs the workloads on its virtual clock),
// and every Task fails as the benchmark's local handler does. Prints {"status", "output"} as JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [packageDir, definitionFile, inputFile] = process.argv.slice(2);
const entry = join(packageDir, 'node_modules', 'aws-local-stepfunctions', 'build', 'main.node.esm.js');
const { StateMachine } = await import(pathToFileURL(entry).href);

const definition = JSON.parse(readFileSync(definitionFile, 'utf8'));
const input = JSON.parse(readFileSync(inputFile, 'utf8'));

const overrides = { taskResourceLocalHandlers: {}, waitTimeOverrides: {}, retryIntervalOverrides: {} };
function visit(machine) {
  for (const [name, state] of Object.entries(machine.States)) {
    if (state.Type === 'Task') {
      overrides.taskResourceLocalHandlers[name] = () => {
        const error = new Error('deliberate failure');
        error.name = 'BenchAlwaysFails';
        throw error;
      };
    }
    if (state.Type === 'Wait') overrides.waitTimeOverrides[name] = 0;
    if (state.Retry) overrides.retryIntervalOverrides[name] = 0;
    for (const branch of state.Branches ?? []) visit(branch);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) visit(processor);
  }
}
visit(definition);

const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
try {
  const output = await machine.run(input, { overrides }).result;
  process.stdout.write(JSON.stringify({ status: 'SUCCEEDED', output }));
} catch (error) {
  process.stdout.write(JSON.stringify({ status: 'FAILED', error: String(error?.name ?? error) }));
}
