package main

import (
	"math/rand/v2"
	"strings"
)

// The sentences simulated candidates build their answers from, written for
// this tool. Specific ones recount a past event, told as "I", with what
// was done and what came of it; vague ones say little, so that the
// interviewer has gaps to probe.
var (
	situations = []string{
		"Two winters ago our ferry booking site kept stalling each Monday at nine.",
		"Last spring I inherited a greenhouse sensor project that had slipped three quarters running.",
		"Back at Hollis Ceramics a kiln supplier altered its invoice export overnight, and our ledger went wrong.",
		"While we moved the bakery chain onto new stock software, rush orders for cakes began vanishing from pick sheets.",
		"In March 2022 crashes of our tram ticket app tripled right after a charting library upgrade.",
		"As the lone engineer on a tiny payroll connector, I watched a big client threaten to walk over late payslips.",
	}
	actions = []string{
		"I combed the slow query log by hand and pinned the stalls on one absent index over the bookings table.",
		"I drafted a single page, met every lead about it separately, and carried the rollback pager myself.",
		"I booked a fifteen-minute morning call with the kiln vendor and logged each mismatched line in a spreadsheet everyone could edit.",
		"I paired with our most junior engineer so the repair, and the knowhow behind it, would outlive my involvement.",
		"I opposed a hasty patch at design review, since it masked the fault rather than curing it.",
		"I scored three options for cost and risk, chose a staged rollout, and recorded my reasons.",
		"I read raw event rows rather than the dashboard, and they exposed a long tail that averages concealed.",
	}
	results = []string{
		"Stalls dropped from about forty daily to zero, and Monday alerts stayed silent until December.",
		"We launched a fortnight ahead of plan, and tickets about it shrank by about thirty percent.",
		"Ledger mistakes fell from six percent to below 0.5 percent inside four weeks.",
		"Crash-free sessions recovered to 99.7 percent, and store ratings bounced back within one release.",
		"That client signed on for three further years and later wanted our setup in two extra countries.",
	}
	lessons = []string{
		"With hindsight, raising it a week earlier would have beaten patching it alone.",
		"Ever since, every rollout touching money gets a canary stage from me.",
		"My manager objected at first, so I ran a one-day trial and let its numbers decide.",
	}
	vague = []string{
		"Generally I aim to do right by customers.",
		"Usually our group sorts such things out somehow.",
		"Maybe I'd chat with stakeholders and see what seems sensible.",
		"It worked out, roughly.",
		"I can't recall specifics, it was ages ago.",
		"Stuff like that crops up often and gets handled.",
		"Honestly, good communication matters most here.",
	}
)

// answer makes one varied answer: about half are specific stories, some
// start specific and then go vague, and the remainder say little.
func answer(r *rand.Rand) string {
	pick := func(pool []string) string { return pool[r.IntN(len(pool))] }
	var parts []string
	switch x := r.Float64(); {
	case x < 0.5:
		parts = append(parts, pick(situations), pick(actions))
		if r.IntN(2) == 0 {
			parts = append(parts, pick(actions))
		}
		parts = append(parts, pick(results))
		if r.IntN(2) == 0 {
			parts = append(parts, pick(lessons))
		}
	case x < 0.8:
		parts = append(parts, pick(situations), pick(vague))
		if r.IntN(2) == 0 {
			parts = append(parts, pick(actions))
		}
	default:
		parts = append(parts, pick(vague))
		if r.IntN(2) == 0 {
			parts = append(parts, pick(vague))
		}
	}
	// A repeated sentence would read oddly; drop the second copy.
	seen := map[string]bool{}
	out := parts[:0]
	for _, p := range parts {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
