package load

import "testing"

func TestCheckTargetRefusesAnythingButLoopback(t *testing.T) {
	for _, tt := range []struct {
		url    string
		remote bool
		ok     bool
	}{
		{"http://127.0.0.1:8080", false, true},
		{"http://127.9.9.9:8080", false, true},
		{"http://localhost:8080", false, true},
		{"http://[::1]:8080", false, true},
		{"http://10.0.0.5:8080", false, false},
		{"http://192.168.1.2", false, false},
		{"https://yousaid.example.org", false, false},
		{"http://127.0.0.1.nip.io", false, false},
		{"https://yousaid.example.org", true, true},
		{"ftp://127.0.0.1", false, false},
		{"127.0.0.1:8080", false, false},
	} {
		if err := CheckTarget(tt.url, tt.remote); (err == nil) != tt.ok {
			t.Errorf("CheckTarget(%q, %v) = %v, want ok=%v", tt.url, tt.remote, err, tt.ok)
		}
	}
}

func TestParseMix(t *testing.T) {
	m, err := ParseMix("submit=90,results=5,vote=5")
	if err != nil || m != (Mix{Submit: 90, Results: 5, Vote: 5}) {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"", "submit=x", "read=5", "submit=0", "submit=-1"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted", bad)
		}
	}
}
