package schema

import "strings"

// suggest returns ` (did you mean "x"?)` for the candidate closest to s, when
// one is within an edit distance of 3 (or equal ignoring case), and "" when
// none is. Candidates are tried in order, so ties go to the first.
func suggest(s string, candidates []string) string {
	best, bestDist := "", 4
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return ` (did you mean "` + c + `"?)`
		}
		if d := levenshtein(strings.ToLower(s), strings.ToLower(c)); d < bestDist && d < len(c) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return ` (did you mean "` + best + `"?)`
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Suggest is suggest for other packages: ` (did you mean "x"?)` for the
// candidate closest to s within an edit distance of 3, or "".
func Suggest(s string, candidates []string) string { return suggest(s, candidates) }
