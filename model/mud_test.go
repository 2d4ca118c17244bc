package model

import "testing"

// A profile built by hand, without policy lists, is read by Direction.
func TestAllowsByDirection(t *testing.T) {
	p := &MUDProfile{ACLs: []MUDACL{{Name: "x", ACEs: []MUDACE{
		{Name: "in", Direction: MUDToDevice, Protocol: 6, DstPort: "80", Action: "accept"},
		{Name: "out", Direction: MUDFromDevice, Host: "a.example", Action: "accept"},
	}}}}
	if !p.Allows(MUDToDevice, "10.1.1.1", 6, 80) || p.Allows(MUDToDevice, "10.1.1.1", 6, 81) {
		t.Error("to-device entry not applied")
	}
	if !p.Allows(MUDFromDevice, "a.example", 17, 9) || p.Allows(MUDFromDevice, "b.example", 17, 9) {
		t.Error("from-device entry not applied")
	}
}

func TestPortIn(t *testing.T) {
	for _, tc := range []struct {
		spec string
		port int
		want bool
	}{
		{"443", 443, true}, {"443", 444, false}, {"1-10", 1, true}, {"1-10", 10, true}, {"1-10", 11, false},
		{"!53", 53, false}, {"!53", 54, true}, {"x", 1, false}, {"1-x", 1, false}, {"!x", 1, false},
	} {
		if got := mudPortIn(tc.spec, tc.port); got != tc.want {
			t.Errorf("mudPortIn(%q, %d) = %v", tc.spec, tc.port, got)
		}
	}
}
