package survey_test

import (
	"testing"

	"yousaid/survey"
)

func TestMaskPersonalData(t *testing.T) {
	const (
		email    = survey.MaskEmail
		phone    = survey.MaskPhone
		postcode = survey.MaskPostcode
	)
	tests := []struct {
		name, in, want string
	}{
		{"email", "write to jo.bloggs+care@example.co.uk please", "write to " + email + " please"},
		{"email in Arabic text", "بريدي sara@mail.com شكرا", "بريدي " + email + " شكرا"},
		{"handle is not an email", "I'm @sara on there", "I'm @sara on there"},
		{"mobile", "call me on 07700 900123", "call me on " + phone},
		{"mobile unspaced", "07700900123", phone},
		{"mobile with dashes", "07700-900-123.", phone + "."},
		{"international", "+44 7700 900123", phone},
		{"international with (0)", "+44 (0)20 7946 0018 is home", phone + " is home"},
		{"00 prefix", "0044 7700 900123", phone},
		{"London in brackets", "ring (020) 7946 0018 today", "ring " + phone + " today"},
		{"geographic", "01632 960123", phone},
		{"short geographic", "016977 3456", phone},
		{"freephone", "0800 123 4567", phone},
		{"freephone short", "0800 123456", phone},
		{"non-UK international", "my brother +93 70 123 4567", "my brother " + phone},
		{"two numbers", "07700 900123 or 07700 900456", phone + " or " + phone},
		{"Arabic-Indic digits", "رقمي ٠٧٧٠٠٩٠٠١٢٣", "رقمي " + phone},
		{"Persian digits spaced", "شماره ۰۷۷۰۰ ۹۰۰۱۲۳", "شماره " + phone},
		{"full-width digits", "０７７００９００１２３", phone},
		{"age", "I am 17", "I am 17"},
		{"score", "scored 7/10", "scored 7/10"},
		{"year", "by 2027, or 2028", "by 2027, or 2028"},
		{"age band", "between 16-17 and 18-20", "between 16-17 and 18-20"},
		{"date", "born 01.02.2005", "born 01.02.2005"},
		{"slashed date", "born 01/02/2005", "born 01/02/2005"},
		{"money", "£250 a week", "£250 a week"},
		{"reference not a phone", "case 12345678901", "case 12345678901"},
		{"helpline", "Samaritans on 116 123", "Samaritans on 116 123"},
		{"postcode", "I live at LS1 4AP now", "I live at " + postcode + " now"},
		{"postcode lower case unspaced", "ls14ap", postcode},
		{"London postcode", "SW1A 1AA", postcode},
		{"outward code alone", "I live in LS1", "I live in LS1"},
		{"vitamin", "B12 injections", "B12 injections"},
		{"motorway", "off the M6 near", "off the M6 near"},
		{"all three", "a@b.org, 07700 900123, M1 1AE", email + ", " + phone + ", " + postcode},
		{"nothing", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := survey.MaskPersonalData(tc.in); got != tc.want {
				t.Errorf("MaskPersonalData(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzMaskPersonalData(f *testing.F) {
	for _, s := range []string{"07700 900123", "a@b.co", "LS1 4AP", "+44 (0)20 7946 0018", "٠٧٧٠٠٩٠٠١٢٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := survey.MaskPersonalData(s)
		if twice := survey.MaskPersonalData(once); twice != once {
			t.Errorf("masking is not stable: %q -> %q -> %q", s, once, twice)
		}
	})
}
