// Ends every run with one line per store saying which suites ran in which time
// zones and which checks its server could not show (declared as todos by
// test/support/store-gaps.ts), and fails the run when a store named in
// REQUIRE_STORES did not run in full.
// Plain CommonJS: Jest loads reporters without transforming them.
const path = require('node:path');

const storeNames = ['sqlite', 'postgres', 'mysql', 'mongodb'];
/** Kept in step with notCheckableMark in store-gaps.ts. */
const notCheckable = /\[NOT CHECKABLE on ([^:\]]+): ([^:\]]+):/;

class StoreReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.counts = {};
    this.error = undefined;
  }

  onTestResult(test, result) {
    const suite = path.relative(path.join(this.rootDir, 'test'), test.path).split(path.sep)[0].replace(/\.test\.ts$/, '');
    const zone = test.context.config.testEnvironmentOptions?.timeZone ?? "the process's zone";
    for (const assertion of result.testResults) {
      const store = storeNames.find((name) => assertion.ancestorTitles[0]?.startsWith(`${name}: `));
      if (store === undefined) continue;
      const counts = (this.counts[store] ??= { passed: 0, failed: 0, skipped: 0, gaps: new Map(), suitesByZone: new Map() });
      const gap = assertion.status === 'todo' ? notCheckable.exec(assertion.title) : null;
      if (assertion.status === 'passed') counts.passed += 1;
      else if (assertion.status === 'failed') counts.failed += 1;
      else if (gap) counts.gaps.set(gap[2], gap[1]);
      else counts.skipped += 1;
      if (!counts.suitesByZone.has(zone)) counts.suitesByZone.set(zone, new Set());
      counts.suitesByZone.get(zone).add(suite);
    }
  }

  onRunComplete(_contexts, results) {
    const provisioned = JSON.parse(process.env.DUALSTORE_TEST_STORES || '{}');
    const required = (process.env.REQUIRE_STORES || '').split(',').map((s) => s.trim()).filter(Boolean);
    const problems = required.filter((name) => !storeNames.includes(name)).map((name) => `REQUIRE_STORES names unknown store ${name}`);

    const lines = storeNames.map((name) => {
      const counts = this.counts[name];
      const store = provisioned[name];
      let line;
      if (counts && counts.passed + counts.failed > 0) {
        const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
        const gaps = [...counts.gaps].map(([gap, server]) => `; NOT CHECKABLE on ${server}: ${gap}`).join('');
        line = `${name}: ran ${describeRuns(counts.suitesByZone)} on ${store?.via}: ${counts.passed} passed, ${counts.failed} failed${skipped}${gaps}`;
      } else {
        line = `${name}: DID NOT RUN (${store && !store.ran ? store.reason : 'no test ran'})`;
      }
      const ranInFull = counts && counts.passed > 0 && counts.failed === 0 && counts.skipped === 0;
      if (required.includes(name) && !ranInFull) problems.push(`required store ${name} did not run in full`);
      return line;
    });

    process.stdout.write(`\nStores:\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
    if (problems.length > 0) {
      this.error = new Error(problems.join('; '));
      process.stdout.write(`FAILED: ${this.error.message}\n`);
    }
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
  }

  getLastError() {
    return this.error;
  }
}

/** "contract + http + restart in UTC; contract + http in America/New_York, Asia/Kathmandu": zones that ran the same suites share a group. */
function describeRuns(suitesByZone) {
  const zones = [...suitesByZone.keys()].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
  const groups = new Map();
  for (const zone of zones) {
    const suites = [...suitesByZone.get(zone)].sort().join(' + ');
    if (!groups.has(suites)) groups.set(suites, []);
    groups.get(suites).push(zone);
  }
  return [...groups].map(([suites, inZones]) => `${suites} in ${inZones.join(', ')}`).join('; ');
}

module.exports = StoreReporter;
