package survey

import (
	"fmt"
	"slices"
)

// Rule is the stable code of one rule a definition can break. A Problem
// carries it with its Params so that a caller can say the rule in the
// reader's own language; the package itself speaks English only (Message).
type Rule string

// The rules Validate, CheckExtension, ValidateExtension and Extend report.
// The values are stable: callers map them to messages, so a rule's code
// never changes meaning. Each rule's Params are listed beside it.
const (
	RuleSurveyIDInvalid           Rule = "survey_id_invalid"            // ID, MaxLength
	RuleVersionInvalid            Rule = "version_invalid"              // Version
	RuleSectionsMissing           Rule = "sections_missing"             //
	RuleSectionIDTaken            Rule = "section_id_taken"             // ID
	RuleQuestionsMissing          Rule = "questions_missing"            //
	RuleQuestionIDTaken           Rule = "question_id_taken"            // ID
	RulePrioritiesNotMulti        Rule = "priorities_not_multi"         // Question
	RuleCouncilInvalid            Rule = "council_invalid"              // Council
	RuleBaseVersionWithoutExtends Rule = "base_version_without_extends" //
	RuleExtendsWithoutCouncil     Rule = "extends_without_council"      //
	RuleExtendsInvalid            Rule = "extends_invalid"              // Survey
	RuleExtendsItself             Rule = "extends_itself"               //
	RuleBaseVersionMissing        Rule = "base_version_missing"         // Version, Survey
	RuleLanguageInvalid           Rule = "language_invalid"             // Language
	RuleLanguageDari              Rule = "language_dari"                //
	RuleLanguageUndetermined      Rule = "language_undetermined"        // Language
	RuleLanguageNotCanonical      Rule = "language_not_canonical"       // Language, Canonical
	RuleListedTwice               Rule = "listed_twice"                 // Value
	RuleEnglishMissing            Rule = "english_missing"              //
	RuleTextNoEnglish             Rule = "text_no_english"              //
	RuleTextUnknownLanguage       Rule = "text_unknown_language"        // Language
	RuleIDInvalid                 Rule = "id_invalid"                   // ID
	RuleIDReserved                Rule = "id_reserved"                  // ID
	RuleTypeUnknown               Rule = "type_unknown"                 // Type
	RuleOptionsMissing            Rule = "options_missing"              // Type
	RuleOptionValueInvalid        Rule = "option_value_invalid"         // Value
	RuleOptionValueTaken          Rule = "option_value_taken"           // Value
	RuleMaxChoicesNegative        Rule = "max_choices_negative"         // MaxChoices
	RuleMaxChoicesAboveOptions    Rule = "max_choices_above_options"    // MaxChoices, Options
	RuleScaleBoundMissing         Rule = "scale_bound_missing"          // Field
	RuleScaleReversed             Rule = "scale_reversed"               // Max, Min
	RuleScaleOutOfBounds          Rule = "scale_out_of_bounds"          // Field, Value, Floor, Ceiling
	RuleOptionsNotChoice          Rule = "options_not_choice"           //
	RuleMaxChoicesNotMulti        Rule = "max_choices_not_multi"        //
	RuleFieldNotScale             Rule = "field_not_scale"              // Field
	RuleMaxLengthNotText          Rule = "max_length_not_text"          //
	RuleMaxLengthNegative         Rule = "max_length_negative"          // MaxLength
	RuleBandedNotChoice           Rule = "banded_not_choice"            //
	RuleShowIfSelf                Rule = "show_if_self"                 //
	RuleShowIfNotEarlier          Rule = "show_if_not_earlier"          // Question
	RuleShowIfNotChoice           Rule = "show_if_not_choice"           // Question, Type
	RuleShowIfInMissing           Rule = "show_if_in_missing"           //
	RuleNotAnOption               Rule = "not_an_option"                // Value, Question
	RuleIndicatorIDTaken          Rule = "indicator_id_taken"           // ID
	RuleBetterInvalid             Rule = "better_invalid"               // Better
	RuleCountsOrRange             Rule = "counts_or_range"              //
	RuleIndicatorQuestionUnknown  Rule = "indicator_question_unknown"   // Question
	RuleRangeOnChoice             Rule = "range_on_choice"              // Question, Type
	RuleCountsOnScale             Rule = "counts_on_scale"              // Question
	RuleRangeNotTwo               Rule = "range_not_two"                //
	RuleRangeReversed             Rule = "range_reversed"               // Low, High
	RuleRangeOutsideScale         Rule = "range_outside_scale"          // Low, High, Min, Max
	RuleIndicatorQuestionType     Rule = "indicator_question_type"      // Question, Type
	RuleDraftedEnglish            Rule = "drafted_english"              //
	RuleDraftedUnknownLanguage    Rule = "drafted_unknown_language"     // Language

	// Extension rules (extension.go).
	RuleExtensionPrioritiesSet      Rule = "extension_priorities_set"      // Question
	RuleExtensionAttributionSet     Rule = "extension_attribution_set"     //
	RuleExtensionPrioritiesChanged  Rule = "extension_priorities_changed"  // Question
	RuleExtensionAttributionChanged Rule = "extension_attribution_changed" //
	RuleExtensionExtendsChanged     Rule = "extension_extends_changed"     // Survey
	RuleExtensionBaseVersion        Rule = "extension_base_version"        // Version, Survey
	RuleExtensionLanguagesMissing   Rule = "extension_languages_missing"   // Languages
	RuleNationalSectionMissing      Rule = "national_section_missing"      // Section
	RuleNationalSectionReplaced     Rule = "national_section_replaced"     // Section
	RuleNationalSectionTitle        Rule = "national_section_title"        //
	RuleNationalQuestionElsewhere   Rule = "national_question_elsewhere"   // Question, Section
	RuleNationalQuestionRemoved     Rule = "national_question_removed"     // Question
	RuleNationalQuestionMoved       Rule = "national_question_moved"       // Question
	RuleNationalQuestionChanged     Rule = "national_question_changed"     // Question, Field
	RuleLocalQuestionInNational     Rule = "local_question_in_national"    // Question
	RuleLocalSectionIDNational      Rule = "local_section_id_national"     // Section
	RuleLocalQuestionIDNational     Rule = "local_question_id_national"    // Question
	RuleLocalQuestionsTooMany       Rule = "local_questions_too_many"      // Max, Count
	RuleLocalQuestionsMissing       Rule = "local_questions_missing"       //
	RuleNationalIndicatorReplaced   Rule = "national_indicator_replaced"   // Indicator
	RuleNationalIndicatorChanged    Rule = "national_indicator_changed"    // Indicator, Field
	RuleLocalIndicatorIDNational    Rule = "local_indicator_id_national"   // Indicator
	RuleBaseVersionUnknown          Rule = "base_version_unknown"          // Survey, Version
	RuleNoSuchNational              Rule = "no_such_national"              // Survey
	RuleNationalExtends             Rule = "national_extends"              //
	RuleCouncilChanged              Rule = "council_changed"               //
	RuleExtendsChanged              Rule = "extends_changed"               //
	RuleIDChanged                   Rule = "id_changed"                    //
)

// ruleText is a rule's English sentence (a fmt format) and the names of
// its parameters, in the order of the format's verbs.
type ruleText struct {
	format string
	params []string
}

// ruleTexts holds every rule. A sentence follows "path: " in Error(), so
// it starts in lower case. A rule missing here has an empty Message, which
// the tests catch.
var ruleTexts = map[Rule]ruleText{
	RuleSurveyIDInvalid:           {"%q is not a lowercase slug of letters, digits and single hyphens, at most %d characters.", []string{"ID", "MaxLength"}},
	RuleVersionInvalid:            {"the version is %d; versions start at 1.", []string{"Version"}},
	RuleSectionsMissing:           {"a survey needs at least one section.", nil},
	RuleSectionIDTaken:            {"another section already has the id %q.", []string{"ID"}},
	RuleQuestionsMissing:          {"a section needs at least one question.", nil},
	RuleQuestionIDTaken:           {"another question already has the id %q.", []string{"ID"}},
	RulePrioritiesNotMulti:        {"%q is not a multi question of this survey.", []string{"Question"}},
	RuleCouncilInvalid:            {"%q is not a council slug.", []string{"Council"}},
	RuleBaseVersionWithoutExtends: {"only an extension of a national survey has a base_version.", nil},
	RuleExtendsWithoutCouncil:     {"only a council's survey can extend a national survey.", nil},
	RuleExtendsInvalid:            {"%q is not a survey id.", []string{"Survey"}},
	RuleExtendsItself:             {"a survey cannot extend itself.", nil},
	RuleBaseVersionMissing:        {"the base_version is %d; name the version of %q this survey extends.", []string{"Version", "Survey"}},
	RuleLanguageInvalid:           {"%q is not a BCP 47 language tag.", []string{"Language"}},
	RuleLanguageDari:              {"write Dari as \"fa-AF\", not \"prs\".", nil},
	RuleLanguageUndetermined:      {"%q names no language.", []string{"Language"}},
	RuleLanguageNotCanonical:      {"write %q in its canonical form, %q.", []string{"Language", "Canonical"}},
	RuleListedTwice:               {"%q is listed twice.", []string{"Value"}},
	RuleEnglishMissing:            {"English (\"en\") must be one of the languages.", nil},
	RuleTextNoEnglish:             {"has no English (\"en\") text.", nil},
	RuleTextUnknownLanguage:       {"has text in %q, which is not one of the survey's languages.", []string{"Language"}},
	RuleIDInvalid:                 {"%q is not an id: start with a lowercase letter, then up to 63 lowercase letters, digits or underscores.", []string{"ID"}},
	RuleIDReserved:                {"%q is a field of the survey form; choose another id.", []string{"ID"}},
	RuleTypeUnknown:               {"%q is not a question type: use choice, multi, scale or text.", []string{"Type"}},
	RuleOptionsMissing:            {"a %s question needs options.", []string{"Type"}},
	RuleOptionValueInvalid:        {"%q is not an option value: start with a lowercase letter or digit, then up to 63 lowercase letters, digits, hyphens or underscores.", []string{"Value"}},
	RuleOptionValueTaken:          {"another option of this question already has the value %q.", []string{"Value"}},
	RuleMaxChoicesNegative:        {"max_choices is %d; use 0 for no limit or a positive number.", []string{"MaxChoices"}},
	RuleMaxChoicesAboveOptions:    {"max_choices is %d but the question has only %d options.", []string{"MaxChoices", "Options"}},
	RuleScaleBoundMissing:         {"a scale question needs %s.", []string{"Field"}},
	RuleScaleReversed:             {"max (%d) must be greater than min (%d).", []string{"Max", "Min"}},
	RuleScaleOutOfBounds:          {"%s is %d; a scale runs within %d to %d.", []string{"Field", "Value", "Floor", "Ceiling"}},
	RuleOptionsNotChoice:          {"only choice and multi questions have options.", nil},
	RuleMaxChoicesNotMulti:        {"only multi questions have max_choices.", nil},
	RuleFieldNotScale:             {"only scale questions have %s.", []string{"Field"}},
	RuleMaxLengthNotText:          {"only text questions have max_length.", nil},
	RuleMaxLengthNegative:         {"max_length is %d; use 0 for the default or a positive number.", []string{"MaxLength"}},
	RuleBandedNotChoice:           {"only choice questions can break results down.", nil},
	RuleShowIfSelf:                {"a question cannot depend on itself.", nil},
	RuleShowIfNotEarlier:          {"%q is not an earlier question of this survey.", []string{"Question"}},
	RuleShowIfNotChoice:           {"%q is a %s question; show_if needs a choice or multi question.", []string{"Question", "Type"}},
	RuleShowIfInMissing:           {"list the answers that show this question.", nil},
	RuleNotAnOption:               {"%q is not an option of %q.", []string{"Value", "Question"}},
	RuleIndicatorIDTaken:          {"another indicator already has the id %q.", []string{"ID"}},
	RuleBetterInvalid:             {"%q must be \"lower\" or \"higher\".", []string{"Better"}},
	RuleCountsOrRange:             {"give exactly one of counts (choice, multi) or range (scale).", nil},
	RuleIndicatorQuestionUnknown:  {"%q is not a question of this survey.", []string{"Question"}},
	RuleRangeOnChoice:             {"%q is a %s question; use counts.", []string{"Question", "Type"}},
	RuleCountsOnScale:             {"%q is a scale question; use range.", []string{"Question"}},
	RuleRangeNotTwo:               {"a range is two numbers, [low, high].", nil},
	RuleRangeReversed:             {"the range [%d, %d] is reversed.", []string{"Low", "High"}},
	RuleRangeOutsideScale:         {"the range [%d, %d] is outside the scale %d to %d.", []string{"Low", "High", "Min", "Max"}},
	RuleIndicatorQuestionType:     {"%q is a %s question; indicators count choice, multi or scale answers.", []string{"Question", "Type"}},
	RuleDraftedEnglish:            {"English is the source text, not a draft.", nil},
	RuleDraftedUnknownLanguage:    {"%q is not one of the survey's languages.", []string{"Language"}},

	RuleExtensionPrioritiesSet:      {"an extension ranks priorities with the national survey's question %q; leave priorities out.", []string{"Question"}},
	RuleExtensionAttributionSet:     {"an extension shows the national survey's attribution; leave attribution out.", nil},
	RuleExtensionPrioritiesChanged:  {"an extension keeps the national survey's priorities question, %q.", []string{"Question"}},
	RuleExtensionAttributionChanged: {"an extension shows the national survey's attribution unchanged.", nil},
	RuleExtensionExtendsChanged:     {"this survey extends %q; it cannot change what it extends.", []string{"Survey"}},
	RuleExtensionBaseVersion:        {"the base_version must be %d, the version of %q it is built on.", []string{"Version", "Survey"}},
	// Languages is the missing tags, each quoted, joined with ", ".
	RuleExtensionLanguagesMissing: {"keep every language of the national survey, whose questions are written in them: add %s.", []string{"Languages"}},
	RuleNationalSectionMissing:    {"the national section %q is missing; an extension keeps every national section and question.", []string{"Section"}},
	RuleNationalSectionReplaced:   {"this must be the national section %q, unchanged; add local sections after the national ones.", []string{"Section"}},
	RuleNationalSectionTitle:      {"the national section's title cannot be changed.", nil},
	RuleNationalQuestionElsewhere: {"%q is a national question of the section %q; move it back to its place there.", []string{"Question", "Section"}},
	RuleNationalQuestionRemoved:   {"the national question %q was removed; an extension keeps every national question.", []string{"Question"}},
	RuleNationalQuestionMoved:     {"the national question %q has moved; keep the national questions in their order.", []string{"Question"}},
	RuleNationalQuestionChanged:   {"the national question %q cannot be changed: its %s must stay as the national survey has it.", []string{"Question", "Field"}},
	RuleLocalQuestionInNational:   {"%q is not a national question; add local questions in a local section, after the national ones.", []string{"Question"}},
	RuleLocalSectionIDNational:    {"%q is the id of a national section; give the local section an id of its own.", []string{"Section"}},
	RuleLocalQuestionIDNational:   {"%q is the id of a national question; give the local question an id of its own.", []string{"Question"}},
	RuleLocalQuestionsTooMany:     {"an extension adds at most %d questions of its own; this is question %d.", []string{"Max", "Count"}},
	RuleLocalQuestionsMissing:     {"add a local section with at least one question of your own after the national sections.", nil},
	RuleNationalIndicatorReplaced: {"this must be the national indicator %q, unchanged: the council's figures are pooled with other councils' by it.", []string{"Indicator"}},
	RuleNationalIndicatorChanged:  {"the national indicator %q cannot be changed: its %s must stay as the national survey has it.", []string{"Indicator", "Field"}},
	RuleLocalIndicatorIDNational:  {"%q is the id of a national indicator; give the local indicator an id of its own.", []string{"Indicator"}},

	// Rules a caller checks against what it has stored (NewProblem).
	RuleBaseVersionUnknown: {"%q has no version %d.", []string{"Survey", "Version"}},
	RuleNoSuchNational:     {"there is no national survey %q to extend.", []string{"Survey"}},
	RuleNationalExtends:    {"a national survey cannot extend another; a council extends a national survey.", nil},
	RuleCouncilChanged:     {"a survey stays with the council that made it; leave council as it is.", nil},
	RuleExtendsChanged:     {"a survey cannot change what it extends; make a new survey instead.", nil},
	RuleIDChanged:          {"the id in the body must be the survey's id in the address; a survey's id cannot change.", nil},
}

// Rules lists every rule, sorted by code.
func Rules() []Rule {
	rules := make([]Rule, 0, len(ruleTexts))
	for r := range ruleTexts {
		rules = append(rules, r)
	}
	slices.Sort(rules)
	return rules
}

// Params names the parameters r's problems carry, in the order its
// English sentence uses them; nil for an unknown rule.
func (r Rule) Params() []string { return slices.Clone(ruleTexts[r].params) }

// NewProblem is the problem of breaking rule at path, with args the values
// of the rule's Params in order (strings for ids, tags, types and field
// names; ints for numbers). It is for rules a caller checks itself, such
// as whether the base survey exists; an unknown rule or a wrong number of
// args gives a Problem with an empty Message.
func NewProblem(path string, rule Rule, args ...any) Problem {
	t, ok := ruleTexts[rule]
	p := Problem{Path: path, Rule: rule}
	if !ok || len(args) != len(t.params) {
		return p
	}
	if len(args) > 0 {
		p.Params = make(map[string]any, len(args))
		for i, name := range t.params {
			p.Params[name] = args[i]
		}
	}
	p.Message = fmt.Sprintf(t.format, args...)
	return p
}
