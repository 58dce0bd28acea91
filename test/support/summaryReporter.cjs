// Mocha's spec reporter, plus one JSON line of totals appended to
// $LOGQS_TEST_SUMMARY so scripts/test-all.sh can add up every stage.
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.LOGQS_TEST_SUMMARY;
      if (file) {
        const { passes, failures, pending } = this.stats;
        fs.appendFileSync(file, JSON.stringify({ stage: process.env.LOGQS_TEST_STAGE ?? 'tests', passes, failures, pending }) + '\n');
      }
    });
  }
}

module.exports = SummaryReporter;
