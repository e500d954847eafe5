package forms

import (
	"strings"
	"time"

	"asiointi/i18n"
	"asiointi/server/datefmt"
)

// Message ids (go-i18n, files i18n/forms.{fi,sv,en}.json). A FieldError's
// Code is one of the Err… ids; its Params, made language-specific by
// FieldError.TemplateData, fill the {{.Min}}, {{.Max}}, {{.Date}} and
// {{.Types}} placeholders.
const (
	ErrRequired         = "form.error.required"         // fill in a text-like, number, money or date field
	ErrRequiredChoice   = "form.error.requiredChoice"   // choose an option of a select or radio
	ErrRequiredChoices  = "form.error.requiredChoices"  // tick at least one of checkboxes
	ErrRequiredCheckbox = "form.error.requiredCheckbox" // tick a required checkbox
	ErrRequiredFile     = "form.error.requiredFile"     // attach a file
	// The same, naming the field's subject ({{.Subject}}) from the definition.
	ErrRequiredSubject       = "form.error.requiredSubject"       // enter {{.Subject}}
	ErrRequiredChoiceSubject = "form.error.requiredChoiceSubject" // choose {{.Subject}}
	ErrRequiredFileSubject   = "form.error.requiredFileSubject"   // attach {{.Subject}}
	ErrInvalidValue          = "form.error.invalidValue"          // wrong kind of value (a client bug, not the resident's)
	ErrTooShort              = "form.error.tooShort"              // {{.Count}} characters (plural forms)
	ErrTooLong               = "form.error.tooLong"               // {{.Count}} characters (plural forms)
	ErrPattern               = "form.error.pattern"               // Params["Help"] is the field's patternHelp (Text)
	ErrNumberTooSmall        = "form.error.numberTooSmall"        // {{.Min}}
	ErrNumberTooLarge        = "form.error.numberTooLarge"        // {{.Max}}
	ErrMoney                 = "form.error.money"                 // not an amount in euros and cents
	ErrMoneyTooSmall         = "form.error.moneyTooSmall"         // {{.Min}} as an amount
	ErrMoneyTooLarge         = "form.error.moneyTooLarge"         // {{.Max}} as an amount
	ErrDate                  = "form.error.date"                  // not a real date
	ErrDateTooEarly          = "form.error.dateTooEarly"          // {{.Date}}
	ErrDateTooLate           = "form.error.dateTooLate"           // {{.Date}}
	ErrTime                  = "form.error.time"                  // not a time of day
	ErrEmail                 = "form.error.email"
	ErrPhone                 = "form.error.phone"
	ErrHetu                  = "form.error.hetu"
	ErrBusinessID            = "form.error.businessId"
	ErrIBAN                  = "form.error.iban"
	ErrPostalCode            = "form.error.postalCode"
	ErrOption                = "form.error.option"         // value is not one of the options
	ErrTooFewChoices         = "form.error.tooFewChoices"  // {{.Min}}
	ErrTooManyChoices        = "form.error.tooManyChoices" // {{.Max}}
	ErrTooFewItems           = "form.error.tooFewItems"    // {{.Min}}
	ErrTooManyItems          = "form.error.tooManyItems"   // {{.Max}}
	ErrFileMissing           = "form.error.fileMissing"    // no such attachment of this field
	ErrFileType              = "form.error.fileType"       // {{.Types}}
	ErrFileTooLarge          = "form.error.fileTooLarge"   // {{.Max}} as a size
)

// Summary message ids: a checkbox's answer.
const (
	MsgYes = "form.summary.yes"
	MsgNo  = "form.summary.no"
)

// MessageIDs lists every message id the package uses.
var MessageIDs = []string{
	ErrRequired, ErrRequiredChoice, ErrRequiredChoices, ErrRequiredCheckbox, ErrRequiredFile,
	ErrRequiredSubject, ErrRequiredChoiceSubject, ErrRequiredFileSubject,
	ErrInvalidValue, ErrTooShort, ErrTooLong, ErrPattern, ErrNumberTooSmall, ErrNumberTooLarge,
	ErrMoney, ErrMoneyTooSmall, ErrMoneyTooLarge, ErrDate, ErrDateTooEarly, ErrDateTooLate, ErrTime,
	ErrEmail, ErrPhone, ErrHetu, ErrBusinessID, ErrIBAN, ErrPostalCode, ErrOption,
	ErrTooFewChoices, ErrTooManyChoices, ErrTooFewItems, ErrTooManyItems,
	ErrFileMissing, ErrFileType, ErrFileTooLarge,
	MsgYes, MsgNo,
}

// FieldError is one problem with one answer. Field is the field id, or for
// a group's sub-field "groupId.<index>.subId" (e.g. "members.0.hetu"); Code
// is the full message id.
type FieldError struct {
	Field  string         `json:"field"`
	Code   string         `json:"code"`
	Params map[string]any `json:"-"`
}

// Param values that read differently in each language.
type (
	amount    int64     // euro cents
	civilDate time.Time // a date
	byteSize  int64     // a file size
	mimeTypes []string  // the allowed MIME types of a file field
)

// FileTooLarge is the problem of a file over its field's limit, as
// submit and an upload report it.
func FileTooLarge(path string, limit int64) FieldError {
	return FieldError{Field: path, Code: ErrFileTooLarge, Params: map[string]any{"Max": byteSize(limit)}}
}

// SizeParam is a file size as a message parameter: it reads "10 MB" in the
// message's language.
func SizeParam(n int64) any { return byteSize(n) }

// TemplateData returns the error's Params ready for the message template
// in lang: numbers with the language's decimal separator, amounts as
// "1 234,50 €" / "€1,234.50", dates as "31.3.2027" / "31 March 2027", sizes
// as "10 MB", type lists as "PDF, JPEG tai PNG", and texts (the Help of
// ErrPattern) in lang.
func (e FieldError) TemplateData(lang string) map[string]any {
	out := make(map[string]any, len(e.Params))
	for k, v := range e.Params {
		switch v := v.(type) {
		case float64:
			out[k] = formatNumber(v, lang)
		case amount:
			out[k] = formatMoney(int64(v), lang)
		case civilDate:
			out[k] = datefmt.Date(time.Time(v), lang)
		case byteSize:
			out[k] = formatSize(int64(v), lang)
		case mimeTypes:
			out[k] = formatTypes(v, lang)
		case i18n.Text:
			out[k] = v.In(lang)
		default:
			out[k] = v
		}
	}
	return out
}

func formatTypes(types []string, lang string) string {
	names := make([]string, len(types))
	for i, t := range types {
		_, sub, _ := strings.Cut(t, "/")
		names[i] = strings.ToUpper(sub)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	or := map[string]string{"fi": " tai ", "sv": " eller ", "en": " or "}[lang]
	if or == "" {
		or = " / "
	}
	return strings.Join(names[:len(names)-1], ", ") + or + names[len(names)-1]
}
