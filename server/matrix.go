package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/store"
)

// PermissionMatrix renders the route table as the Markdown table in
// docs/server.md; a test keeps the document in step.
func PermissionMatrix() string {
	var b strings.Builder
	b.WriteString("| Method | Path | " + strings.Join(names(store.Roles), " | ") + " | Notes |\n")
	b.WriteString("|---|---|" + strings.Repeat("---|", len(store.Roles)) + "---|\n")
	for _, rt := range routes {
		cells := make([]string, len(store.Roles))
		note := rt.Note
		switch rt.Access {
		case tenantRole:
			for i, r := range store.Roles {
				if slices.Contains(rt.Roles, r) {
					cells[i] = "✓"
				}
			}
		case public:
			fill(cells, "✓")
			note = join("public: no token needed", note)
		case user:
			fill(cells, "✓")
			note = join("any user, on their own records", note)
		case platformAdmin:
			note = join("platform admin only", note)
		case auditVerifier:
			for i, r := range store.Roles {
				if r == store.RoleAdmin || r == store.RoleAuditor {
					cells[i] = "✓"
				}
			}
			note = join("also platform admins; admin or auditor of any tenant", note)
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", rt.Method, rt.Pattern, strings.Join(cells, " | "), note)
	}
	return b.String()
}

func fill(cells []string, v string) {
	for i := range cells {
		cells[i] = v
	}
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}
