package mydata

import "asiointi/server/store"

// Class says how my data treats a store bucket.
type Class int

const (
	// Shown: every record of the bucket about the person is in the
	// person's data (Data.Covers); the coverage test checks it.
	Shown Class = iota + 1
	// NoPersonal: the bucket holds nothing about residents; the coverage
	// test fails if a record in it names one.
	NoPersonal
	// Withheld: the bucket may hold something about a person that my data
	// does not show, for the reason given (Why).
	Withheld
)

// Coverage is how my data treats each bucket: a bucket is Shown unless
// it holds nothing about residents or there is a stated reason. A bucket
// missing here fails the coverage test, so a new bucket cannot be
// forgotten: whoever adds one says here how it is shown.
var Coverage = map[string]struct {
	Class Class
	Why   string
}{
	store.Meta:              {NoPersonal, "schema version, marks of upgrades, the access log's head"},
	store.Settings:          {Shown, "municipality, organisations; property records name their owners (identity)"},
	store.People:            {Shown, "the register's record (identity); a child's names its guardians, a proxy's the mandates given to them (mandates)"},
	store.PeopleByHetu:      {Shown, "index of people (identity)"},
	store.Guardianship:      {Shown, "index of guardianships (mandates)"},
	store.OrgRoles:          {Shown, "index of roles in organisations (organisations)"},
	store.Staff:             {NoPersonal, "staff accounts"},
	store.Sessions:          {Shown, "logins, also those acting for the person (sessions)"},
	store.Drafts:            {Shown, "drafts (drafts); older data files: the small records of sent ones (applications)"},
	store.DraftsSent:        {Shown, "the small records of sent drafts (applications)"},
	store.DraftData:         {Shown, "answers of drafts"},
	store.DraftsByUser:      {Shown, "index of drafts"},
	store.DraftsBySubject:   {Shown, "index of drafts written in someone's name"},
	store.Cases:             {Shown, "applications, answer by answer"},
	store.CasesByUser:       {Shown, "index of applications"},
	store.CasesByRef:        {Shown, "index of references"},
	store.Events:            {Shown, "the applications' history"},
	store.Attachments:       {Shown, "files of drafts and applications"},
	store.Blobs:             {Shown, "the files' content"},
	store.Outbox:            {Shown, "notifications waiting for a channel (notifications)"},
	store.Counters:          {Shown, "counts; a file's reference count and the unread count are keyed by the person"},
	store.Forms:             {NoPersonal, "form definitions"},
	store.Notices:           {Shown, "notifications"},
	store.NotifyPrefs:       {Shown, "notification settings"},
	store.PushSubs:          {Shown, "devices"},
	store.DevOutbox:         {Shown, "demo mode's e-mail and SMS (notifications)"},
	store.Feedback:          {Withheld, "accessibility feedback is sent without logging in: nothing links it to a person"},
	store.AccessLog:         {Shown, "reads of the person's data by others (access log, counted here, listed on its own page)"},
	store.AccessBySubject:   {Shown, "index of the access log"},
	store.DraftParties:      {Shown, "people named as parties on drafts (invitations)"},
	store.Invitations:       {Shown, "requests to approve, received and sent (invitations)"},
	store.InvitationsByCase: {NoPersonal, "index: case and invitation ids"},
	store.InvitationsByUser: {Shown, "index of invitations"},
	store.InvitationTokens:  {NoPersonal, "hashes of link tokens"},
	store.Due:               {Shown, "housekeeping's work list: ids and times (a draft's expiry, a case's retention)"},
	store.LoginState:        {NoPersonal, "login attempts in flight (minutes) and used assertion ids"},
	store.StaffRoles:        {NoPersonal, "staff roles"},
	store.Audit: {Withheld, "administrative changes by staff: roles, and paper powers of attorney recorded " +
		"(the power of attorney itself is in the person's data, under mandates)"},
	store.CaseIndex: {Shown, "the handlers' inbox rows of the applications"},
	store.CaseNotes: {Withheld, "handlers' internal working notes; not shown in the e-service " +
		"(a person gets them on request under the Openness Act 621/1999 and GDPR Art. 15)"},
	store.Destructions: {NoPersonal, "the destruction log: kind, reference and time, never content"},
	store.Shares:       {Shown, "applications shared read-only, given and received (invitations)"},
	store.DoneFor: {Withheld, "what others did in the person's name: shown on its own page, " +
		"done in my name (/{lang}/done-for-me, GET /api/v1/me/done-for-me)"},
	store.MandateSessions: {Withheld, "a Suomi.fi Mandates session in progress (its id, a short-lived token, " +
		"the principal chosen there), deleted at logout"},
	store.MandatesByPrincipal: {Shown, "index of mandates, held and given (mandates, organisations)"},
}
