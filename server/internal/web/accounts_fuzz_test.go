package web

import (
	"testing"
	"time"

	"github.com/pquerna/otp/hotp"
)

// FuzzTOTPStep feeds the code a person types (form or API) to the
// checker: it never panics, and accepts only the six digits that are the
// code of now's time step or the one either side.
func FuzzTOTPStep(f *testing.F) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC)
	right, err := hotp.GenerateCodeCustom(secret, uint64(now.Unix())/totpPeriod, totpOpts)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{right, "000000", " 123 456 ", "12-34-56", "", "１２３４５６", "9999999", "ABCDE-FGHIJ", "\x00\x00\x00\x00\x00\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, code string) {
		step, ok := totpStep(secret, code, now)
		if !ok {
			return
		}
		compact := compactCode(code)
		if !isSixDigits(compact) {
			t.Fatalf("accepted %q, which is not six digits", code)
		}
		current := uint64(now.Unix()) / totpPeriod
		if step+1 < current || step > current+1 {
			t.Fatalf("accepted step %d, now is %d", step, current)
		}
		want, _ := hotp.GenerateCodeCustom(secret, step, totpOpts)
		if want != compact {
			t.Fatalf("accepted %q for step %d, whose code is %s", code, step, want)
		}
	})
}
