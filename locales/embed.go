// Package locales holds the interface messages of yousaid, one go-i18n TOML
// file per language (active.<tag>.toml), and status.toml, which records
// which translations are machine drafts still waiting for a fluent speaker.
//
// active.en.toml is the hand-kept source of truth: goi18n extract cannot see
// message IDs that are used only in templates, so new IDs are added there by
// hand. Adding a language's translation is a matter of adding its
// active.<tag>.toml here; package locale loads every file it finds.
package locales

import "embed"

// FS holds every *.toml file of this folder at its root.
//
//go:embed *.toml
var FS embed.FS
