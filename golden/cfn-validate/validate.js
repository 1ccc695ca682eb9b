#!/usr/bin/env node
// Validates CloudFormation templates offline with AWS's
// @aws/cloudformation-validate (its bundled resource schemas and rules; no
// network, no credentials). Usage: node validate.js TEMPLATE...
//
// Prints one JSON object per line on stdout for every diagnostic (file,
// severity, rule, message, resource, path, line) and for every template
// whose analysis did not complete. The Go test decides what fails; this
// script exits 0 unless it could not run at all. The engine takes about
// two seconds to start, so pass every template in one call.
'use strict';
const { RegoEngine, TemplateFile } = require('@aws/cloudformation-validate');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.js TEMPLATE...');
  process.exit(2);
}

const engine = new RegoEngine();
try {
  for (const file of files) {
    const report = engine.validateStandard(new TemplateFile(file));
    for (const d of report.diagnostics) {
      console.log(JSON.stringify({
        file,
        severity: d.severity, // FATAL, ERROR, WARN, INFO or DEBUG
        rule: d.ruleId,
        message: d.message,
        resource: d.entity && d.entity.logicalId,
        path: d.propertyPath,
        line: d.startLine,
      }));
    }
    if (report.status !== 'OK') {
      console.log(JSON.stringify({ file, severity: 'ERROR', rule: 'STATUS', message: `analysis ended with status ${report.status}` }));
    }
  }
} finally {
  engine.free();
}
