package iam

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONStringMatchesEncodingJSON: the quick path for plain text and
// encoding/json (HTML escaping off) agree on every ASCII character and on
// text that needs escapes.
func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	inputs := []string{"", "s3:GetObject", "arn:aws:s3:::b/${aws:username}/*", "<&>", "é ü 日本", "\u2028\u2029", "a\x00b", "\x7f", "\xff"}
	for c := range 128 {
		inputs = append(inputs, "a"+string(rune(c))+"b")
	}
	for _, s := range inputs {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(b.String(), "\n"); jsonString(s) != want {
			t.Errorf("jsonString(%q) = %s, encoding/json writes %s", s, jsonString(s), want)
		}
	}
}
