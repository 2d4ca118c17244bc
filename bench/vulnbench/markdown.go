package main

import (
	"fmt"
	"strings"
)

// markdownText renders the results for docs/bench/vulndb.md.
func (r *results) markdownText() string {
	var b strings.Builder
	c := r.corpus
	fmt.Fprintf(&b, "Corpus: %d OSV advisories (%d withdrawn, %d alias twins; %.0f MB of zips in osv-scanner's layout), ",
		len(c.advs), c.withdrawn, c.twins, float64(r.dbBytes)/1e6)
	fmt.Fprintf(&b, "CycloneDX 1.5 SBOM of %d components (%.1f MB), seed %d, edge cases %v; %d runs per phase, median.\n\n",
		len(c.comps), float64(r.sbomBytes)/1e6, r.cfg.seed, r.cfg.edgeCases, r.cfg.runs)
	fmt.Fprintf(&b, "Edge inputs: %s.\n\n", c.edgeCounts())
	fmt.Fprintf(&b, "Machine: %s.\n\n", r.machine)
	rows := r.rows()
	for i, row := range rows {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
		if i == 0 {
			fmt.Fprintf(&b, "|%s\n", strings.Repeat(" --- |", len(row)))
		}
	}
	fmt.Fprintf(&b, "\nIndex: %.1f MB.\n\n", float64(r.idxBytes)/1e6)
	for _, g := range r.goals() {
		mark := "met"
		if !g.met {
			mark = "**not met**"
		}
		fmt.Fprintf(&b, "- %s: %s (%s)\n", g.what, g.value, mark)
	}
	cmp := r.cmp
	fmt.Fprintf(&b, "\nMatches (component, advisory ID): iotguard %d, osv-scanner %d, OSV rules %d; agreements %d, disagreements %d, unexplained %d.\n\n",
		cmp.iotguard, cmp.osv, cmp.expected, cmp.agree, cmp.disagreements, cmp.unexplained)
	table := func(title string, cls []*class) {
		if len(cls) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s\n\n| count | explained | class |\n| ---: | --- | --- |\n", title)
		for _, cl := range cls {
			fmt.Fprintf(&b, "| %d | %v | %s |\n", cl.count, cl.explained, cl.what)
		}
		b.WriteString("\n")
	}
	table("Differences between the tools:", cmp.disagree)
	table("Expected by the OSV rules, reported by neither tool:", cmp.bothMiss)
	b.WriteString("Commands (DIR is the corpus directory):\n\n```\n")
	for _, cmd := range r.commands {
		b.WriteString(strings.ReplaceAll(cmd, r.dir, "DIR") + "\n")
	}
	b.WriteString("```\n")
	return b.String()
}
