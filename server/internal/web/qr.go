package web

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// qrQuietZone is the blank margin round a QR code, in modules, that
// readers need (the standard asks for 4).
const qrQuietZone = 4

// qrCode is a QR code ready for an inline SVG drawn by a template:
//
//	<svg viewBox="0 0 {{.Size}} {{.Size}}"><path d="{{.Path}}"/></svg>
//
// Path holds only the letters M, h, v and z, digits and spaces, so it is
// data like any other: no template.HTML is needed.
type qrCode struct {
	Size int    // modules on a side, quiet zone included
	Path string // SVG path data: one unit square per dark module
}

// makeQR encodes text (a URL) at error correction level M, which a phone
// camera reads well from across a room.
func makeQR(text string) (qrCode, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return qrCode{}, fmt.Errorf("web.makeQR: %w", err)
	}
	var b strings.Builder
	for y := 0; y < code.Size; y++ {
		// Runs of dark modules in a row become one rectangle each.
		for x := 0; x < code.Size; {
			if !code.Black(x, y) {
				x++
				continue
			}
			start := x
			for x < code.Size && code.Black(x, y) {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start+qrQuietZone, y+qrQuietZone, x-start, x-start)
		}
	}
	return qrCode{Size: code.Size + 2*qrQuietZone, Path: b.String()}, nil
}
