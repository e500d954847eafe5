// Package datefmt is the platform's one place for dates: the Helsinki
// location, the formatting of dates and times for people, and ISO-8601
// periods (Period). It formats the way Finnish municipalities write:
// "31.3.2027 klo 16.00" in Finnish, "31.3.2027 kl. 16.00" in Swedish and
// "31 March 2027 at 16:00" in English.
//
// Every formatting function converts its argument to Europe/Helsinki
// first, whatever the location of the time value, so a time stored in UTC
// prints as the wall-clock time a resident of the municipality sees. The
// time zone database is embedded (time/tzdata), so this works on machines
// without zoneinfo files, such as minimal containers.
//
// Languages are "fi", "sv" and "en"; any other value is treated as "fi",
// the platform's default language.
package datefmt

import (
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // embedded zone database: Europe/Helsinki must always load
)

var helsinki = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		// Cannot happen: time/tzdata is linked in.
		panic("datefmt: loading Europe/Helsinki: " + err.Error())
	}
	return loc
})

// Helsinki returns the Europe/Helsinki location (EET/EEST).
func Helsinki() *time.Location { return helsinki() }

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"}

// Date formats the calendar date of t in Helsinki: "31.3.2027" (fi, sv),
// "31 March 2027" (en).
func Date(t time.Time, lang string) string {
	t = t.In(Helsinki())
	if lang == "en" {
		return DayMonth(t, lang) + " " + strconv.Itoa(t.Year())
	}
	return DayMonth(t, lang) + strconv.Itoa(t.Year())
}

// DayMonth formats the date of t without the year, for places where the
// year is obvious, such as a service card saying "open until 31.3.":
// "31.3." (fi, sv), "31 March" (en).
func DayMonth(t time.Time, lang string) string {
	t = t.In(Helsinki())
	if lang == "en" {
		return strconv.Itoa(t.Day()) + " " + monthsEN[t.Month()-1]
	}
	return strconv.Itoa(t.Day()) + "." + strconv.Itoa(int(t.Month())) + "."
}

// Time formats the wall-clock time of t in Helsinki on the 24-hour clock:
// "9.05" and "16.00" (fi, sv), "09:05" and "16:00" (en).
func Time(t time.Time, lang string) string {
	t = t.In(Helsinki())
	return Clock(t.Hour(), t.Minute(), lang)
}

// Clock formats a wall-clock time given as hour and minute like Time:
// "9.05" (fi, sv), "09:05" (en). A time field's answer reads this way.
func Clock(hour, minute int, lang string) string {
	mm := strconv.Itoa(minute)
	if minute < 10 {
		mm = "0" + mm
	}
	if lang == "en" {
		hh := strconv.Itoa(hour)
		if hour < 10 {
			hh = "0" + hh
		}
		return hh + ":" + mm
	}
	return strconv.Itoa(hour) + "." + mm
}

// DateTime formats t in Helsinki as a date and a time:
// "31.3.2027 klo 16.00" (fi), "31.3.2027 kl. 16.00" (sv),
// "31 March 2027 at 16:00" (en).
func DateTime(t time.Time, lang string) string {
	return Date(t, lang) + " " + timeWord(lang) + " " + Time(t, lang)
}

// timeWord is the word between a date and a time in lang.
func timeWord(lang string) string {
	switch lang {
	case "sv":
		return "kl."
	case "en":
		return "at"
	}
	return "klo"
}
