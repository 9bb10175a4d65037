package survey

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
)

// Canonical encodes the answers deterministically (JSON with sorted keys),
// so two submissions can be compared byte for byte, as idempotency needs.
// Whole numbers encode alike whatever their Go type (int, int32, int64,
// float64 7.0), and so do lists of strings ([]string, []any, bson.A).
func (a Answers) Canonical() []byte {
	m := make(map[string]any, len(a))
	for k, v := range a {
		v = genericValue(v)
		if _, err := json.Marshal(v); err != nil {
			// No parser produces such a value (NaN, a channel); it still
			// gets a stable encoding that equals no valid answer.
			v = fmt.Sprintf("%T %v", v, v)
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		// Every value was checked above, so this cannot happen.
		panic(fmt.Sprintf("survey.Answers.Canonical: %v", err))
	}
	return b
}

// NormaliseStored brings answers read back from the store into normal form
// (see Answers), so that a stored response and a replay of it compare
// equal under Canonical: a BSON decode gives int32, int64 or float64 for a
// scale answer and []any or bson.A for a multi answer. nil values and empty
// lists are left out, as unanswered questions are. d is the definition the
// answers were validated against; each stored type has exactly one normal
// form, so the conversion does not depend on it. Nothing is dropped for not fitting d, so
// that a comparison with a valid replay fails instead of hiding it.
func NormaliseStored(d *Definition, m map[string]any) Answers {
	a := make(Answers, len(m))
	for k, v := range m {
		v = genericValue(v)
		switch x := v.(type) {
		case nil:
			continue
		case []string:
			if len(x) == 0 {
				continue
			}
		}
		a[k] = v
	}
	return a
}

// maxExactFloat is the largest magnitude below which every whole float64
// is exact and fits an int.
const maxExactFloat = 1 << 53

// genericValue converts whole numbers to int and lists of strings to
// []string, recursively for other lists; other values come back unchanged.
func genericValue(v any) any {
	switch n := v.(type) {
	case nil, string, int, []string:
		return v
	case int8:
		return int(n)
	case int16:
		return int(n)
	case int32:
		return int(n)
	case int64:
		if n >= math.MinInt && n <= math.MaxInt {
			return int(n)
		}
	case uint8:
		return int(n)
	case uint16:
		return int(n)
	case uint32:
		if uint64(n) <= math.MaxInt {
			return int(n)
		}
	case uint64:
		if n <= math.MaxInt {
			return int(n)
		}
	case float32:
		return wholeFloat(float64(n), v)
	case float64:
		return wholeFloat(n, v)
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return genericValue(i)
		}
		if f, err := n.Float64(); err == nil {
			return wholeFloat(f, v)
		}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return v
	}
	items := make([]any, rv.Len())
	strs := make([]string, 0, rv.Len())
	for i := range items {
		items[i] = genericValue(rv.Index(i).Interface())
		if s, ok := items[i].(string); ok {
			strs = append(strs, s)
		}
	}
	if len(strs) == len(items) {
		return strs
	}
	return items
}

// wholeFloat returns f as an int when it is a whole number an int holds
// exactly, else orig.
func wholeFloat(f float64, orig any) any {
	if f == math.Trunc(f) && math.Abs(f) < maxExactFloat {
		return int(f)
	}
	return orig
}
