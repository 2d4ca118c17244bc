// Package suggest finds the valid name closest to a misspelt one, for
// "did you mean" hints in error messages.
package suggest

import "strings"

// Closest returns the candidate nearest to word by edit distance (case-
// insensitive), or "" when none is close enough to be a plausible typo.
func Closest(word string, candidates []string) string {
	w := strings.ToLower(word)
	best, bestDist, bestPrefix, bestGap := "", -1, 0, 0
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := distance(w, lc)
		p := commonPrefix(w, lc)
		g := gap(w, lc, p)
		// Ties go to the candidate sharing the longer prefix, then to the one
		// whose next character is nearest: S29 is nearer S28 than S09 or S20.
		if bestDist < 0 || d < bestDist || (d == bestDist && (p > bestPrefix || (p == bestPrefix && g < bestGap))) {
			best, bestDist, bestPrefix, bestGap = c, d, p, g
		}
	}
	if best == "" {
		return ""
	}
	// Allow roughly one edit per three characters, at least two.
	limit := len(w) / 3
	if limit < 2 {
		limit = 2
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
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

// Hint formats a " (did you mean X?)" suffix, or "" when there is no match.
func Hint(word string, candidates []string) string {
	if c := Closest(word, candidates); c != "" {
		return " (did you mean " + c + "?)"
	}
	return ""
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// gap is how far apart a and b are at the first character after their
// common prefix of length p.
func gap(a, b string, p int) int {
	if p >= len(a) || p >= len(b) {
		return 0
	}
	d := int(a[p]) - int(b[p])
	if d < 0 {
		d = -d
	}
	return d
}
