// Package prose holds the small wording helpers that eksiam's messages
// share, so that the same thing reads the same way everywhere.
package prose

import (
	"fmt"
	"strings"
)

// Some names the first shown items of a list and how many more there are:
// "a, b, c and 4 more".
func Some(names []string, shown int) string {
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
}
