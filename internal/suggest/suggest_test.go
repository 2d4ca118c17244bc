package suggest

import "testing"

func TestClosest(t *testing.T) {
	ids := []string{"S01", "S02", "S28", "P01", "P17"}
	tests := []struct {
		word, want string
	}{
		{"S29", "S28"},
		{"s01", "S01"},
		{"P18", "P17"},
		{"completely-different", ""},
	}
	for _, tc := range tests {
		if got := Closest(tc.word, ids); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	if got := Closest("stakeholder", []string{"stakeholders", "category"}); got != "stakeholders" {
		t.Errorf("field suggestion = %q", got)
	}
	if got := Hint("catgory", []string{"category"}); got != " (did you mean category?)" {
		t.Errorf("Hint = %q", got)
	}
}
