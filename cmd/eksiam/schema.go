package main

import (
	"fmt"
	"io"

	"github.com/eksiam/eksiam/schema"
)

func runSchema(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("schema", "", "Prints the spec's JSON Schema (draft 2020-12) for editors. Save it beside the spec and\npoint the spec at it: # yaml-language-server: $schema=./spec.schema.json", stdout)
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	data, err := schema.JSONSchema()
	if err != nil {
		fmt.Fprintf(stderr, "eksiam: %v\n", err)
		return exitFailure
	}
	stdout.Write(data)
	return exitOK
}
