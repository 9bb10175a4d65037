package survey

import (
	"regexp"
	"strings"
	"unicode"
)

// The masks MaskPersonalData puts in place of what it removes. They are
// fixed English markers in stored text; the web layer may translate them
// when it shows the text.
const (
	MaskEmail    = "[email removed]"
	MaskPhone    = "[phone number removed]"
	MaskPostcode = "[postcode removed]"
)

var (
	// emailPattern: something@domain.tld, in any script, with the
	// full-width at sign too.
	emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+[@＠][\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)
	// postcodePattern: a full UK postcode (outward code, an optional space,
	// inward code), with the letters Royal Mail allows in each position. An
	// outward code alone ("LS1", but also "B12", "M6", "A1") is not masked:
	// it names a district, not a street, and is far more often a vitamin,
	// a motorway or a road.
	postcodePattern = regexp.MustCompile(`(?i)\b(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)[ \x{00A0}]{0,2}[0-9][ABD-HJLNP-UW-Z]{2})\b`)
)

// MaskPersonalData replaces email addresses, phone numbers and UK
// postcodes in free text with MaskEmail, MaskPhone and MaskPostcode, before
// anyone reads it. Phone numbers are recognised in any decimal digits
// (Arabic-Indic ٠٧٧٠٠..., Persian ۰۷۷۰۰..., full-width) with spaces, dashes,
// dots and brackets between them:
//
//   - UK numbers written nationally: 01, 02, 03, 07 or 08 and 11 digits in
//     all, or 01 or 0800 and 10 digits;
//   - any number written internationally, + or 00 and 8 to 15 digits (the
//     family number abroad as much as +44 7700 900123 or +44 (0)20 ...).
//
// Short numbers, years, ages, scores and dates ("I am 17", "7/10", "2027",
// "01.02.2005") are left alone. When unsure it masks: a reference number
// that looks like a UK phone number is masked too.
func MaskPersonalData(text string) string {
	text = emailPattern.ReplaceAllString(text, MaskEmail)
	text = postcodePattern.ReplaceAllString(text, MaskPostcode)
	return maskPhones(text)
}

// maxPhoneSeparators is how many separators may stand between two groups
// of digits (as in ") - ").
const maxPhoneSeparators = 3

func maskPhones(text string) string {
	rs := []rune(text)
	var b strings.Builder
	for i := 0; i < len(rs); {
		end, ok := phoneAt(rs, i)
		// "(020) 7946 0018": the bracket before the number goes with it.
		if !ok && rs[i] == '(' && i+1 < len(rs) {
			if e, found := phoneAt(rs, i+1); found && strings.Count(string(rs[i+1:e]), ")") > strings.Count(string(rs[i+1:e]), "(") {
				end, ok = e, true
			}
		}
		if ok {
			b.WriteString(MaskPhone)
			i = end
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}

// phoneAt reports whether a phone number starts at rs[i] and, if so,
// where it ends.
func phoneAt(rs []rune, i int) (end int, ok bool) {
	if i > 0 && isDigit(rs[i-1]) {
		return 0, false // inside a longer number
	}
	plus := rs[i] == '+' || rs[i] == '＋'
	if !plus && !isDigit(rs[i]) {
		return 0, false
	}
	// Read digits and separators; ends[k] is where the span ends after
	// digit k+1 when that digit closes a group.
	var digits []byte
	var ends []int
	seps := 0
	j := i
	if plus {
		j++
	}
	for ; j < len(rs) && len(digits) <= 15; j++ {
		if d, ok := digitValue(rs[j]); ok {
			digits = append(digits, byte('0'+d))
			seps = 0
			if j+1 == len(rs) || !isDigit(rs[j+1]) {
				ends = append(ends, j+1)
			} else {
				ends = append(ends, -1)
			}
			continue
		}
		if !isPhoneSeparator(rs[j]) || seps == maxPhoneSeparators || (plus && len(digits) == 0) {
			break
		}
		seps++
	}
	if !plus && len(digits) > 1 && digits[0] == '0' && digits[1] == '0' {
		plus, digits, ends = true, digits[2:], ends[2:]
	}
	best := -1
	for k := range digits {
		n := k + 1
		if ends[k] < 0 {
			continue
		}
		if (plus && n >= 8 && n <= 15) || (!plus && ukNational(string(digits[:n]))) {
			best = ends[k]
		}
	}
	if best < 0 {
		return 0, false
	}
	return best, true
}

// ukNational reports whether digits is a UK number written nationally.
func ukNational(digits string) bool {
	switch len(digits) {
	case 11:
		return digits[0] == '0' && strings.ContainsRune("12378", rune(digits[1]))
	case 10:
		return strings.HasPrefix(digits, "01") || strings.HasPrefix(digits, "0800")
	}
	return false
}

func isPhoneSeparator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '.', '(', ')':
		return true
	}
	return false
}

// digitZeros are the zeros of the decimal digit sets people type numbers
// in, each followed by its nine other digits.
var digitZeros = []rune{
	'0',
	'\u0660', // Arabic-Indic
	'\u06F0', // Extended Arabic-Indic (Persian, Dari, Pashto, Urdu)
	'\u0966', // Devanagari
	'\u09E6', // Bengali
	'\u0A66', // Gurmukhi
	'\u0AE6', // Gujarati
	'\u0BE6', // Tamil
	'\u1040', // Myanmar
	'\u17E0', // Khmer
	'\uFF10', // Full-width
}

// digitValue returns the value of a decimal digit of a known set.
func digitValue(r rune) (int, bool) {
	for _, z := range digitZeros {
		if r >= z && r <= z+9 {
			return int(r - z), true
		}
	}
	return 0, false
}

// isDigit reports any decimal digit, known set or not, so that a number in
// an unknown script is not split.
func isDigit(r rune) bool {
	_, ok := digitValue(r)
	return ok || unicode.IsDigit(r)
}
