package forms

import "time"

// Rules are a field's submit checks as the browser applies them while the
// form is filled in (checkField in pwa/js/formlogic.js): the limits that
// CheckSubmit enforces, encoded as a field's data-rules attribute. Errors
// holds, by the browser's rule key, the problem that CheckSubmit reports
// when the rule fails, so the browser can say the same words.
type Rules struct {
	Type      string   `json:"t"`
	Required  bool     `json:"r,omitempty"`
	MinLength int      `json:"minL,omitempty"`
	MaxLength int      `json:"maxL,omitempty"`
	Min       *float64 `json:"min,omitempty"`
	Max       *float64 `json:"max,omitempty"`
	Pattern   string   `json:"re,omitempty"`
	DateMin   string   `json:"dMin,omitempty"`
	DateMax   string   `json:"dMax,omitempty"`
	MaxBytes  int64    `json:"maxB,omitempty"`
	Accept    []string `json:"acc,omitempty"`
	MinItems  int      `json:"minI,omitempty"`
	MaxItems  int      `json:"maxI,omitempty"`

	Errors map[string]FieldError `json:"-"`
}

// ClientRules are f's Rules on the day of now (relative date bounds count
// from today in Helsinki); nil for an info field.
func (f *Field) ClientRules(now time.Time) *Rules {
	if !f.IsData() {
		return nil
	}
	r := &Rules{Type: f.Type, Required: f.Required, Errors: map[string]FieldError{"required": errRequired(f)}}
	switch f.Type {
	case TypeText, TypeTextarea, TypeEmail, TypePhone:
		r.MinLength, r.MaxLength, r.Pattern = f.MinLength, f.MaxLength, f.Pattern
		if f.MinLength > 0 {
			r.Errors["tooShort"] = errTooShort(f)
		}
		if f.MaxLength > 0 {
			r.Errors["tooLong"] = errTooLong(f)
		}
		if f.Pattern != "" {
			r.Errors["pattern"] = errPattern(f)
		}
		if f.Type == TypeEmail {
			r.Errors["email"] = FieldError{Code: ErrEmail}
		}
		if f.Type == TypePhone {
			r.Errors["phone"] = FieldError{Code: ErrPhone}
		}
	case TypeHetu:
		r.Errors["hetu"] = FieldError{Code: ErrHetu}
	case TypeBusinessID:
		r.Errors["businessId"] = FieldError{Code: ErrBusinessID}
	case TypeIBAN:
		r.Errors["iban"] = FieldError{Code: ErrIBAN}
	case TypePostalCode:
		r.Errors["postalCode"] = FieldError{Code: ErrPostalCode}
	case TypeNumber:
		r.Min, r.Max = f.Min, f.Max
		if f.Min != nil {
			r.Errors["tooSmall"] = errNumberTooSmall(f)
		}
		if f.Max != nil {
			r.Errors["tooLarge"] = errNumberTooLarge(f)
		}
	case TypeMoney:
		lo := 0.0 // without a min, no negative amounts
		if f.Min != nil {
			lo = *f.Min
		}
		r.Min, r.Max = &lo, f.Max
		r.Errors["money"] = FieldError{Code: ErrMoney}
		r.Errors["tooSmall"] = errMoneyTooSmall(f)
		if f.Max != nil {
			r.Errors["tooLarge"] = errMoneyTooLarge(f)
		}
	case TypeTime:
		r.Errors["time"] = FieldError{Code: ErrTime}
	case TypeDate:
		r.Errors["date"] = FieldError{Code: ErrDate}
		if f.DateMin != "" {
			if t, err := ParseDateBound(f.DateMin, now); err == nil {
				r.DateMin = t.Format(time.DateOnly)
				r.Errors["tooEarly"] = errDateTooEarly(t)
			}
		}
		if f.DateMax != "" {
			if t, err := ParseDateBound(f.DateMax, now); err == nil {
				r.DateMax = t.Format(time.DateOnly)
				r.Errors["tooLate"] = errDateTooLate(t)
			}
		}
	case TypeCheckboxes:
		r.Min, r.Max = f.Min, f.Max
		if f.Min != nil {
			r.Errors["tooFew"] = errTooFewChoices(f)
		}
		if f.Max != nil {
			r.Errors["tooMany"] = errTooManyChoices(f)
		}
	case TypeFile:
		r.MaxBytes, r.Accept = f.FileLimit(), f.Accepted()
		r.Errors["tooBig"] = errFileTooLarge(f)
		r.Errors["type"] = errFileType(f)
	case TypeGroup:
		r.MinItems, r.MaxItems = f.MinItems, f.ItemLimit()
		if f.MinItems > 0 {
			r.Errors["tooFew"] = errTooFewItems(f)
		}
		r.Errors["tooMany"] = errTooManyItems(f)
	}
	return r
}

// The problems of a field's limits, as CheckSubmit reports them and
// ClientRules announces them. Field is left for the caller to set.

func errRequired(f *Field) FieldError {
	if len(f.Subject) > 0 { // the definition names what is missing
		subject := map[string]any{"Subject": f.Subject}
		switch f.Type {
		case TypeSelect, TypeRadio:
			return FieldError{Code: ErrRequiredChoiceSubject, Params: subject}
		case TypeFile:
			return FieldError{Code: ErrRequiredFileSubject, Params: subject}
		case TypeText, TypeTextarea, TypeEmail, TypePhone, TypeNumber, TypeMoney, TypeDate, TypeTime,
			TypeHetu, TypeBusinessID, TypeIBAN, TypePostalCode:
			return FieldError{Code: ErrRequiredSubject, Params: subject}
		}
	}
	switch f.Type {
	case TypeSelect, TypeRadio:
		return FieldError{Code: ErrRequiredChoice}
	case TypeCheckboxes:
		return FieldError{Code: ErrRequiredChoices}
	case TypeCheckbox:
		return FieldError{Code: ErrRequiredCheckbox}
	case TypeFile:
		return FieldError{Code: ErrRequiredFile}
	case TypeGroup:
		return FieldError{Code: ErrTooFewItems, Params: map[string]any{"Min": max(1, f.MinItems)}}
	}
	return FieldError{Code: ErrRequired}
}

func errTooShort(f *Field) FieldError {
	return FieldError{Code: ErrTooShort, Params: map[string]any{"Count": f.MinLength}}
}

func errTooLong(f *Field) FieldError {
	return FieldError{Code: ErrTooLong, Params: map[string]any{"Count": f.MaxLength}}
}

func errPattern(f *Field) FieldError {
	return FieldError{Code: ErrPattern, Params: map[string]any{"Help": f.PatternHelp}}
}

func errNumberTooSmall(f *Field) FieldError {
	return FieldError{Code: ErrNumberTooSmall, Params: map[string]any{"Min": *f.Min}}
}

func errNumberTooLarge(f *Field) FieldError {
	return FieldError{Code: ErrNumberTooLarge, Params: map[string]any{"Max": *f.Max}}
}

// moneyMin is the smallest amount a money field accepts, in cents: its
// min, or zero without one.
func moneyMin(f *Field) int64 {
	if f.Min != nil {
		return toCents(*f.Min)
	}
	return 0
}

func errMoneyTooSmall(f *Field) FieldError {
	return FieldError{Code: ErrMoneyTooSmall, Params: map[string]any{"Min": amount(moneyMin(f))}}
}

func errMoneyTooLarge(f *Field) FieldError {
	return FieldError{Code: ErrMoneyTooLarge, Params: map[string]any{"Max": amount(toCents(*f.Max))}}
}

func errDateTooEarly(lo time.Time) FieldError {
	return FieldError{Code: ErrDateTooEarly, Params: map[string]any{"Date": civilDate(lo)}}
}

func errDateTooLate(hi time.Time) FieldError {
	return FieldError{Code: ErrDateTooLate, Params: map[string]any{"Date": civilDate(hi)}}
}

func errTooFewChoices(f *Field) FieldError {
	return FieldError{Code: ErrTooFewChoices, Params: map[string]any{"Min": int(*f.Min)}}
}

func errTooManyChoices(f *Field) FieldError {
	return FieldError{Code: ErrTooManyChoices, Params: map[string]any{"Max": int(*f.Max)}}
}

func errFileType(f *Field) FieldError {
	return FieldError{Code: ErrFileType, Params: map[string]any{"Types": mimeTypes(f.Accepted())}}
}

func errFileTooLarge(f *Field) FieldError { return FileTooLarge("", f.FileLimit()) }

func errTooFewItems(f *Field) FieldError {
	return FieldError{Code: ErrTooFewItems, Params: map[string]any{"Min": f.MinItems}}
}

func errTooManyItems(f *Field) FieldError {
	return FieldError{Code: ErrTooManyItems, Params: map[string]any{"Max": f.ItemLimit()}}
}
