package agent

// Scope tiers, from a story about one's own task to one about a business.
// docs/grading.md holds the table of scope by level they are read against.
const (
	ScopeTask    = 1 // one's own feature, fix or task
	ScopeTeam    = 2 // a team, or a component owned end to end with a partner or two
	ScopeTeams   = 3 // several teams, a product area, 10+ people, $1M+
	ScopeOrg     = 4 // an organisation or platform, 30+ people, $10M+, senior leaders
	ScopeCompany = 5 // a business unit or the company, 100+ people, $50M+
)

// storyScope estimates how far a story reaches from the sizes it states:
// people and teams counted, the organisations named and the money at
// stake. It reads only what the candidate said, so an unstated scope reads
// as the smallest.
func storyScope(text string) int {
	var buf []byte
	return scopeOf(numberFields(text), &buf)
}

// scopeOf is storyScope for a story's number fields (numberFields); buf
// is a buffer it may reuse.
func scopeOf(ws []string, buf *[]byte) int {
	padded := append((*buf)[:0], ' ')
	for _, w := range ws {
		padded = append(padded, w...)
		padded = append(padded, ' ')
	}
	*buf = padded
	tier := ScopeTask
	raise := func(t int) { tier = max(tier, t) }
	var n [len(scopeLists)]int
	countCues(scopeCues, padded, n[:])
	for i, c := range n {
		if c > 0 {
			raise(ScopeTeam + i)
		}
	}
	for i := range ws {
		q, ok := readQuantity(ws, i)
		if !ok || q.percent || q.times {
			continue
		}
		next := ""
		if i+1 < len(ws) {
			next = ws[i+1]
			if _, scaled := scales[next]; scaled && i+2 < len(ws) {
				next = ws[i+2]
			}
		}
		prev := ""
		if i >= 2 {
			prev = ws[i-2] + " " + ws[i-1] // "team of 40", "org of 300"
		}
		switch {
		case staffWords.has(next) || prev == "team of" || prev == "org of" || prev == "organization of" || prev == "group of":
			raise(tierOf(q.value, staffTiers))
		case unitWords.has(next):
			raise(tierOf(q.value, unitTiers))
		case q.money:
			raise(tierOf(q.value, moneyTiers))
		}
	}
	return tier
}

// A tierStep raises a story to tier once a count reaches at.
type tierStep struct {
	at   float64
	tier int
}

// The counts that raise a story's scope, largest first: staff, groups of
// staff (teams, sites, regions), and money at stake.
var (
	staffTiers = []tierStep{{100, ScopeCompany}, {30, ScopeOrg}, {10, ScopeTeams}, {3, ScopeTeam}}
	unitTiers  = []tierStep{{10, ScopeOrg}, {2, ScopeTeams}}
	moneyTiers = []tierStep{{50e6, ScopeCompany}, {10e6, ScopeOrg}, {1e6, ScopeTeams}}
)

// tierOf is the tier the first step v reaches gives, or ScopeTask.
func tierOf(v float64, steps []tierStep) int {
	for _, s := range steps {
		if v >= s.at {
			return s.tier
		}
	}
	return ScopeTask
}

// LevelScope is the smallest scope a story should show at a level: a story
// two tiers below it is clearly below the level.
func LevelScope(l Level) int {
	switch l.Rank() {
	case 6:
		return ScopeTeams
	case 7:
		return ScopeOrg
	case 8:
		return ScopeCompany
	}
	return ScopeTask
}

// ScopeName is how the debrief names a tier.
func ScopeName(tier int) string {
	switch tier {
	case ScopeTeam:
		return "one team"
	case ScopeTeams:
		return "several teams or a product area"
	case ScopeOrg:
		return "an organisation"
	case ScopeCompany:
		return "a business unit or the company"
	}
	return "your own task"
}

// staffWords count people; unitWords count groups of people.
var staffWords = setOf("engineers", "developers", "reports", "staff", "employees", "analysts", "nurses", "associates",
	"managers", "designers", "scientists", "technicians", "headcount", "direct", "ics", "leads")

var unitWords = setOf("teams", "orgs", "organizations", "organisations", "departments", "sites", "warehouses",
	"stores", "countries", "regions", "divisions", "offices", "plants", "hospitals", "clinics", "squads", "groups",
	"business", "markets", "products", "services", "fulfillment", "centers", "centres")

var teamCues = []string{" my team ", " our team ", " the team ", " my squad ", " my group ", " i managed ",
	" i manage ", " i lead ", " i led the ", " tech lead ", " my engineers ", " my reports ", " partner team ",
	" product manager ", " on-call ", " the whole team "}

var teamsCues = []string{" several teams ", " multiple teams ", " other teams ", " three teams ", " four teams ",
	" five teams ", " two teams ", " across teams ", " cross-team ", " partner teams ", " sister teams ",
	" every team ", " each team ", " the product area ", " my managers ", " managers under me ", " director "}

var orgCues = []string{" the org ", " our org ", " my org ", " the organization ", " the organisation ", " our organization ",
	" our organisation ", " the division ", " our division ", " across the org", " org-wide ", " the vp ", " our vp ",
	" my vp ", " vice president ", " senior leadership ", " sister orgs ", " several orgs ", " multiple orgs ",
	" other orgs ", " platform teams ", " s-team ", " svp "}

var companyCues = []string{" company-wide ", " across the company", " the whole company", " the entire company",
	" business unit ", " every business ", " all of amazon", " companywide ", " the ceo ", " our ceo "}
