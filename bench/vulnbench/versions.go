package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Version histories are generated in ascending order under each
// ecosystem's own rules, so the position of a version in its history is
// its rank: the oracle (expected matches) compares positions, never
// strings, and is independent of both tools' version parsers.
//
// Every history uses the forms real feeds carry: semver pre-releases,
// Go pseudo-versions, PEP 440 dev/a/b/rc/post, Maven qualifiers
// (-RC1, .Final/.CR1), apk suffixes (_rc, _p, letters, -rN) and dpkg
// epochs, tildes, +dfsg and +debNuM security uploads.

// history returns n ascending versions of one package, as advisories
// write them (Go without the "v" prefix).
func history(r *rand.Rand, eco string, n int) []string {
	switch eco {
	case ecoGo:
		return semverHistory(r, n, true)
	case ecoNPM:
		return semverHistory(r, n, false)
	case ecoPyPI:
		return pep440History(r, n)
	case ecoMaven:
		return mavenHistory(r, n)
	case ecoAlpine:
		return apkHistory(r, n)
	case ecoDebian:
		return dpkgHistory(r, n)
	}
	panic("unknown ecosystem " + eco)
}

// triple walks major.minor.patch releases: mostly patch bumps, some minor
// and a few major ones. bumped reports a minor or major bump (where
// pre-releases belong).
type triple struct{ major, minor, patch int }

func (t *triple) next(r *rand.Rand) (bumped bool) {
	switch x := r.IntN(100); {
	case x < 70:
		t.patch++
	case x < 92:
		t.minor, t.patch = t.minor+1, 0
		return true
	default:
		t.major, t.minor, t.patch = t.major+1, 0, 0
		return true
	}
	return false
}

func startTriple(r *rand.Rand) triple {
	return triple{major: r.IntN(3), minor: r.IntN(12), patch: r.IntN(6)}
}

func (t triple) String() string { return fmt.Sprintf("%d.%d.%d", t.major, t.minor, t.patch) }

func semverHistory(r *rand.Rand, n int, goPseudo bool) []string {
	var out []string
	t := startTriple(r)
	if goPseudo && r.IntN(10) == 0 {
		// Untagged modules start with pseudo-versions (0.0.0-time-hash),
		// which order before every release.
		t = triple{0, 1, 0}
		ts := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(1000)) * time.Hour)
		for i := 0; i < 1+r.IntN(3) && len(out) < n-1; i++ {
			ts = ts.Add(time.Duration(1+r.IntN(3000)) * time.Minute)
			out = append(out, fmt.Sprintf("0.0.0-%s-%012x", ts.Format("20060102150405"), r.Uint64()&0xffffffffffff))
		}
	}
	out = append(out, t.String())
	for len(out) < n {
		if t.next(r) && r.IntN(3) == 0 {
			for _, pre := range []string{"alpha.1", "beta.1", "rc.1", "rc.2"}[r.IntN(3):] {
				if len(out) < n-1 {
					out = append(out, t.String()+"-"+pre)
				}
			}
		}
		out = append(out, t.String())
	}
	return out[:n]
}

func pep440History(r *rand.Rand, n int) []string {
	var out []string
	t := startTriple(r)
	str := func(t triple) string {
		if t.patch == 0 && r.IntN(2) == 0 {
			return fmt.Sprintf("%d.%d", t.major, t.minor) // "2.1" as PyPI often has it
		}
		return t.String()
	}
	out = append(out, str(t))
	for len(out) < n {
		if t.next(r) && r.IntN(3) == 0 {
			base := t.String()
			pres := []string{".dev1", "a1", "b1", "rc1", "rc2"}[r.IntN(4):]
			for _, pre := range pres {
				if len(out) < n-1 {
					out = append(out, base+pre)
				}
			}
			out = append(out, base)
		} else {
			out = append(out, str(t))
		}
		if r.IntN(20) == 0 && len(out) < n {
			out = append(out, out[len(out)-1]+".post1")
		}
	}
	return out[:n]
}

func mavenHistory(r *rand.Rand, n int) []string {
	var out []string
	t := startTriple(r)
	jboss := r.IntN(7) == 0 // 5.4.0.Beta1 < 5.4.0.CR1 < 5.4.0.Final
	rel := func(t triple) string {
		if jboss {
			return t.String() + ".Final"
		}
		return t.String()
	}
	out = append(out, rel(t))
	for len(out) < n {
		if t.next(r) && r.IntN(3) == 0 {
			pres := []string{"-alpha1", "-beta1", "-RC1", "-RC2"}[r.IntN(3):]
			if jboss {
				pres = []string{".Alpha1", ".Beta1", ".CR1", ".CR2"}[r.IntN(3):]
			}
			for _, pre := range pres {
				if len(out) < n-1 {
					out = append(out, t.String()+pre)
				}
			}
		}
		out = append(out, rel(t))
	}
	return out[:n]
}

func apkHistory(r *rand.Rand, n int) []string {
	var out []string
	t := startTriple(r)
	letters := r.IntN(10) == 0 // openssl style 1.1.1v-r0 < 1.1.1w-r0
	letter := 0
	up := func() string {
		if letter > 0 {
			return t.String() + string(rune('a'+letter-1))
		}
		return t.String()
	}
	rel := 0
	for len(out) < n {
		out = append(out, fmt.Sprintf("%s-r%d", up(), rel))
		switch x := r.IntN(100); {
		case x < 35:
			rel++ // rebuild: -r1, -r2
		case x < 42 && !letters && len(out) < n-1:
			// a patch level of the same upstream: 1.2.3_p1-r0 > 1.2.3-rN
			out = append(out, fmt.Sprintf("%s_p%d-r0", up(), 1+r.IntN(3)))
			rel = 0
			t.next(r)
		default:
			rel = 0
			if letters && letter < 25 && r.IntN(3) > 0 {
				letter++
				continue
			}
			letter = 0
			if t.next(r) && !letters && r.IntN(4) == 0 && len(out) < n-1 {
				out = append(out, t.String()+"_rc1-r0") // 1.3.0_rc1-r0 < 1.3.0-r0
			}
		}
	}
	return out[:n]
}

func dpkgHistory(r *rand.Rand, n int) []string {
	var out []string
	t := startTriple(r)
	epoch := ""
	switch r.IntN(10) {
	case 0:
		epoch = "1:"
	case 1:
		epoch = "2:"
	}
	bumpEpoch := epoch == "" && r.IntN(30) == 0 // upstream renumbered: 1:0.9-1 > 4.2-1
	dfsg := ""
	if r.IntN(6) == 0 {
		dfsg = "+dfsg"
	}
	two := r.IntN(3) == 0 // "2.36" rather than "2.36.0"
	up := func() string {
		if two {
			return fmt.Sprintf("%d.%d", t.major, t.minor)
		}
		return t.String()
	}
	for len(out) < n {
		if bumpEpoch && len(out) >= n/2 {
			epoch, t, bumpEpoch = "1:", triple{0, 9, 0}, false
		}
		rev := 1 + r.IntN(2)
		out = append(out, fmt.Sprintf("%s%s%s-%d", epoch, up(), dfsg, rev))
		if r.IntN(4) == 0 && len(out) < n {
			deb := 11 + r.IntN(3)
			out = append(out, fmt.Sprintf("%s%s%s-%d+deb%du1", epoch, up(), dfsg, rev, deb))
		}
		if r.IntN(3) == 0 && len(out) < n {
			out = append(out, fmt.Sprintf("%s%s%s-%d", epoch, up(), dfsg, rev+1))
		}
		if two {
			t.minor++
			if r.IntN(8) == 0 {
				t.major, t.minor = t.major+1, 0
			}
		} else if !t.next(r) {
			continue
		}
		if r.IntN(5) == 0 && len(out) < n-1 {
			out = append(out, fmt.Sprintf("%s%s~rc1%s-1", epoch, up(), dfsg))
		}
	}
	return out[:n]
}
