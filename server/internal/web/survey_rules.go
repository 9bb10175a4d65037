package web

import (
	"maps"

	"yousaid/server/internal/locale"
	"yousaid/survey"
)

// ruleMessages maps every rule a survey definition can break to the
// message that says it in the staff member's language. Each message's
// placeholders are the rule's Params ({{.Question}}, {{.Max}}...);
// its English is the rule's English Message, word for word. A rule left out
// here is shown in English (TestEveryRuleHasAMessage stops that shipping).
var ruleMessages = map[survey.Rule]string{
	survey.RuleSurveyIDInvalid:             "SurveyRuleSurveyIDInvalid",
	survey.RuleVersionInvalid:              "SurveyRuleVersionInvalid",
	survey.RuleSectionsMissing:             "SurveyRuleSectionsMissing",
	survey.RuleSectionIDTaken:              "SurveyRuleSectionIDTaken",
	survey.RuleQuestionsMissing:            "SurveyRuleQuestionsMissing",
	survey.RuleQuestionIDTaken:             "SurveyRuleQuestionIDTaken",
	survey.RulePrioritiesNotMulti:          "SurveyRulePrioritiesNotMulti",
	survey.RuleCouncilInvalid:              "SurveyRuleCouncilInvalid",
	survey.RuleBaseVersionWithoutExtends:   "SurveyRuleBaseVersionWithoutExtends",
	survey.RuleExtendsWithoutCouncil:       "SurveyRuleExtendsWithoutCouncil",
	survey.RuleExtendsInvalid:              "SurveyRuleExtendsInvalid",
	survey.RuleExtendsItself:               "SurveyRuleExtendsItself",
	survey.RuleBaseVersionMissing:          "SurveyRuleBaseVersionMissing",
	survey.RuleLanguageInvalid:             "SurveyRuleLanguageInvalid",
	survey.RuleLanguageDari:                "SurveyRuleLanguageDari",
	survey.RuleLanguageUndetermined:        "SurveyRuleLanguageUndetermined",
	survey.RuleLanguageNotCanonical:        "SurveyRuleLanguageNotCanonical",
	survey.RuleListedTwice:                 "SurveyRuleListedTwice",
	survey.RuleEnglishMissing:              "SurveyRuleEnglishMissing",
	survey.RuleTextNoEnglish:               "SurveyRuleTextNoEnglish",
	survey.RuleTextUnknownLanguage:         "SurveyRuleTextUnknownLanguage",
	survey.RuleIDInvalid:                   "SurveyRuleIDInvalid",
	survey.RuleIDReserved:                  "SurveyRuleIDReserved",
	survey.RuleTypeUnknown:                 "SurveyRuleTypeUnknown",
	survey.RuleOptionsMissing:              "SurveyRuleOptionsMissing",
	survey.RuleOptionValueInvalid:          "SurveyRuleOptionValueInvalid",
	survey.RuleOptionValueTaken:            "SurveyRuleOptionValueTaken",
	survey.RuleMaxChoicesNegative:          "SurveyRuleMaxChoicesNegative",
	survey.RuleMaxChoicesAboveOptions:      "SurveyRuleMaxChoicesAboveOptions",
	survey.RuleScaleBoundMissing:           "SurveyRuleScaleBoundMissing",
	survey.RuleScaleReversed:               "SurveyRuleScaleReversed",
	survey.RuleScaleOutOfBounds:            "SurveyRuleScaleOutOfBounds",
	survey.RuleOptionsNotChoice:            "SurveyRuleOptionsNotChoice",
	survey.RuleMaxChoicesNotMulti:          "SurveyRuleMaxChoicesNotMulti",
	survey.RuleFieldNotScale:               "SurveyRuleFieldNotScale",
	survey.RuleMaxLengthNotText:            "SurveyRuleMaxLengthNotText",
	survey.RuleMaxLengthNegative:           "SurveyRuleMaxLengthNegative",
	survey.RuleBandedNotChoice:             "SurveyRuleBandedNotChoice",
	survey.RuleShowIfSelf:                  "SurveyRuleShowIfSelf",
	survey.RuleShowIfNotEarlier:            "SurveyRuleShowIfNotEarlier",
	survey.RuleShowIfNotChoice:             "SurveyRuleShowIfNotChoice",
	survey.RuleShowIfInMissing:             "SurveyRuleShowIfInMissing",
	survey.RuleNotAnOption:                 "SurveyRuleNotAnOption",
	survey.RuleIndicatorIDTaken:            "SurveyRuleIndicatorIDTaken",
	survey.RuleBetterInvalid:               "SurveyRuleBetterInvalid",
	survey.RuleCountsOrRange:               "SurveyRuleCountsOrRange",
	survey.RuleIndicatorQuestionUnknown:    "SurveyRuleIndicatorQuestionUnknown",
	survey.RuleRangeOnChoice:               "SurveyRuleRangeOnChoice",
	survey.RuleCountsOnScale:               "SurveyRuleCountsOnScale",
	survey.RuleRangeNotTwo:                 "SurveyRuleRangeNotTwo",
	survey.RuleRangeReversed:               "SurveyRuleRangeReversed",
	survey.RuleRangeOutsideScale:           "SurveyRuleRangeOutsideScale",
	survey.RuleIndicatorQuestionType:       "SurveyRuleIndicatorQuestionType",
	survey.RuleDraftedEnglish:              "SurveyRuleDraftedEnglish",
	survey.RuleDraftedUnknownLanguage:      "SurveyRuleDraftedUnknownLanguage",
	survey.RuleExtensionPrioritiesSet:      "SurveyRuleExtensionPrioritiesSet",
	survey.RuleExtensionAttributionSet:     "SurveyRuleExtensionAttributionSet",
	survey.RuleExtensionPrioritiesChanged:  "SurveyRuleExtensionPrioritiesChanged",
	survey.RuleExtensionAttributionChanged: "SurveyRuleExtensionAttributionChanged",
	survey.RuleExtensionExtendsChanged:     "SurveyRuleExtensionExtendsChanged",
	survey.RuleExtensionBaseVersion:        "SurveyRuleExtensionBaseVersion",
	survey.RuleExtensionLanguagesMissing:   "SurveyRuleExtensionLanguagesMissing",
	survey.RuleNationalSectionMissing:      "SurveyRuleNationalSectionMissing",
	survey.RuleNationalSectionReplaced:     "SurveyRuleNationalSectionReplaced",
	survey.RuleNationalSectionTitle:        "SurveyRuleNationalSectionTitle",
	survey.RuleNationalQuestionElsewhere:   "SurveyRuleNationalQuestionElsewhere",
	survey.RuleNationalQuestionRemoved:     "SurveyRuleNationalQuestionRemoved",
	survey.RuleNationalQuestionMoved:       "SurveyRuleNationalQuestionMoved",
	survey.RuleNationalQuestionChanged:     "SurveyRuleNationalQuestionChanged",
	survey.RuleLocalQuestionInNational:     "SurveyRuleLocalQuestionInNational",
	survey.RuleLocalSectionIDNational:      "SurveyRuleLocalSectionIDNational",
	survey.RuleLocalQuestionIDNational:     "SurveyRuleLocalQuestionIDNational",
	survey.RuleLocalQuestionsTooMany:       "SurveyRuleLocalQuestionsTooMany",
	survey.RuleLocalQuestionsMissing:       "SurveyRuleLocalQuestionsMissing",
	survey.RuleNationalIndicatorReplaced:   "SurveyRuleNationalIndicatorReplaced",
	survey.RuleNationalIndicatorChanged:    "SurveyRuleNationalIndicatorChanged",
	survey.RuleLocalIndicatorIDNational:    "SurveyRuleLocalIndicatorIDNational",
	survey.RuleBaseVersionUnknown:          "SurveyRuleBaseVersionUnknown",
	survey.RuleNoSuchNational:              "SurveyRuleNoSuchNational",
	survey.RuleNationalExtends:             "SurveyRuleNationalExtends",
	survey.RuleCouncilChanged:              "SurveyRuleCouncilChanged",
	survey.RuleExtendsChanged:              "SurveyRuleExtendsChanged",
	survey.RuleIDChanged:                   "SurveyRuleIDChanged",
}

// ruleSentence is a survey rule's own sentence, translated when the error
// is written and set as {{.Problem}} of the message that says where
// (ErrorSurveyProblem).
type ruleSentence struct {
	MessageID string
	Data      map[string]any
}

// sentenceOf returns p's translatable sentence, or nil for a rule with no
// message, whose English Message then stands.
func sentenceOf(p survey.Problem) *ruleSentence {
	id, ok := ruleMessages[p.Rule]
	if !ok {
		return nil
	}
	return &ruleSentence{MessageID: id, Data: p.Params}
}

// localizeWith translates the message id with data, first putting rule's
// sentence, translated by the same localizer, in data's "Problem".
func localizeWith(l *locale.Localizer, id string, data map[string]any, rule *ruleSentence) string {
	if rule == nil {
		return l.T(id, data)
	}
	d := maps.Clone(data)
	if d == nil {
		d = map[string]any{}
	}
	d["Problem"] = l.T(rule.MessageID, rule.Data)
	return l.T(id, d)
}
