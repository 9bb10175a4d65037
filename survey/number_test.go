package survey

import "testing"

func TestWholeNumber(t *testing.T) {
	tests := []struct {
		lit         string
		n           int
		whole, huge bool
	}{
		{lit: "0", n: 0, whole: true},
		{lit: "-0", n: 0, whole: true},
		{lit: "0.0e-5", n: 0, whole: true},
		{lit: "7", n: 7, whole: true},
		{lit: "-7", n: -7, whole: true},
		{lit: "7.0", n: 7, whole: true},
		{lit: "7.000", n: 7, whole: true},
		{lit: "70e-1", n: 7, whole: true},
		{lit: "0.7E+1", n: 7, whole: true},
		{lit: "100", n: 100, whole: true},
		{lit: "1e2", n: 100, whole: true},
		{lit: "9999", n: 9999, whole: true},
		{lit: "10000", whole: true, huge: true},
		{lit: "1e4", whole: true, huge: true},
		{lit: "-1e4", whole: true, huge: true},
		{lit: "1e999999999999999999999", whole: true, huge: true},
		{lit: "7.5", whole: false},
		{lit: "0.1", whole: false},
		{lit: "1e-1", whole: false},
		{lit: "1e-999999999999999999999", whole: false},
		{lit: "7.0000000000000000001", whole: false},
	}
	for _, tt := range tests {
		t.Run(tt.lit, func(t *testing.T) {
			n, whole, huge := wholeNumber(tt.lit)
			if n != tt.n || whole != tt.whole || huge != tt.huge {
				t.Errorf("wholeNumber(%q) = %d, %v, %v; want %d, %v, %v", tt.lit, n, whole, huge, tt.n, tt.whole, tt.huge)
			}
		})
	}
}
