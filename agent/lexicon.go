package agent

// Word lists the rules read a story with. They name grammar (verb forms,
// modals, adverbs) and general story-telling markers; none is drawn from a
// particular answer. Matching is on lowercased text: single words against
// tokens, phrases as substrings of the sentence padded with spaces.

// irregularPast are past-tense verbs without the -ed ending.
var irregularPast = setOf(
	"began", "bought", "broke", "brought", "built", "came", "caught", "chose", "cut", "did", "drew",
	"drove", "dug", "fought", "found", "gave", "got", "grew", "held", "hid", "kept", "laid", "led",
	"left", "lent", "made", "met", "oversaw", "paid", "put", "ran", "read", "rebuilt", "rewrote",
	"rode", "sat", "saw", "sent", "set", "shut", "sold", "spent", "split", "spoke", "stood", "struck",
	"swept", "taught", "threw", "told", "took", "undertook", "went", "withdrew", "won", "wrote",
	"froze", "flew", "hung", "overcame", "sought", "shook", "spun", "tore", "bent", "bound", "fed",
	"dealt", "rang", "forgave", "wove", "slid", "fell", "rose", "shrank", "sped", "quit", "hit",
	"beat", "drank", "ate", "forgot", "understood", "thought", "felt", "knew", "meant", "said",
	"heard", "was", "were", "had", "became", "wound", "sank", "swore", "upheld", "withheld",
)

// notDeeds are past forms that describe a state of mind or being, not a
// deed: "I wanted", "I felt", "I was".
var notDeeds = setOf(
	"needed", "wanted", "liked", "loved", "hoped", "believed", "assumed", "used", "seemed",
	"wished", "preferred", "felt", "thought", "guessed", "supposed", "worried", "feared", "hated",
	"enjoyed", "appreciated", "expected", "tended", "cared", "knew", "meant", "was", "were", "had",
	"said", "heard", "forgot", "understood", "happened", "started", "stayed", "remained", "agreed",
)

// edNotVerbs end in -ed but are not verbs.
var edNotVerbs = setOf("red", "bed", "need", "speed", "seed", "feed", "indeed", "hundred", "shed", "breed", "embed", "proceed", "exceed", "succeed")

// weakVerbs say the candidate took part without saying what they did.
var weakVerbs = setOf(
	"helped", "supported", "assisted", "participated", "contributed", "attended", "tried", "attempted",
	"joined", "mentioned", "suggested", "shared", "discussed", "worked", "involved", "cc'd", "forwarded",
	"reminded", "watched", "observed", "noticed", "looked", "went", "got", "did", "made", "kept",
)

// changeVerbs describe something becoming more or less; in the past tense
// they state an outcome.
var changeVerbs = setOf(
	"dropped", "fell", "rose", "reduced", "increased", "decreased", "improved", "grew", "doubled", "tripled",
	"halved", "shrank", "climbed", "declined", "jumped", "lowered", "recovered", "eliminated", "saved",
)

// completionVerbs say something was brought to an end or into use.
var completionVerbs = setOf(
	"shipped", "launched", "released", "delivered", "completed", "finished", "resolved", "fixed", "closed",
	"settled", "signed", "renewed", "hired", "promoted", "passed", "won", "recovered", "restored", "migrated",
	"retired", "replaced", "removed", "automated", "stopped", "disappeared", "converted", "cleared",
	"approved", "adopted", "landed", "merged", "deployed", "published", "opened", "met", "hit", "beat",
	"exceeded", "achieved", "reached", "prevented", "avoided", "caught", "returned", "retained", "kept",
)

// modals put a verb in a would-be world; "'d" and "'ll" forms are read
// with their pronoun.
var modals = setOf("would", "will", "could", "should", "might", "can", "may", "must", "shall",
	"wouldn't", "won't", "couldn't", "shouldn't", "can't", "cannot", "should've", "would've", "could've")

// habitual words make a clause about what someone usually does.
var habitual = setOf("usually", "always", "typically", "generally", "normally", "often", "tend", "whenever")

// habitualPresent are present-tense verbs that, with "I" or "we", describe
// a practice rather than an event: "we try to", "I tend to".
var habitualPresent = setOf("try", "tend", "like", "prefer", "focus", "ensure", "strive", "aim", "encourage")

// stateVerbs in the present describe a view or a state, not a deed.
var stateVerbs = setOf("think", "believe", "feel", "know", "want", "need", "like", "love", "hope", "am", "have",
	"guess", "suppose", "mean", "remember", "recall", "understand", "agree", "see", "say", "find", "get", "do")

var beVerbs = setOf("is", "are", "was", "were", "be", "been", "being", "am", "i'm", "it's", "that's", "there's")

// leadIns may open a clause before its subject: "then I", "so we".
var leadIns = setOf("then", "so", "and", "but", "also", "eventually", "finally", "later", "afterwards", "in", "the",
	"end", "that", "week", "day", "month", "next", "after", "within", "by", "first", "second", "over", "once")

// adverbs may sit between a subject and its verb: "I personally negotiated".
var adverbs = setOf(
	"also", "then", "first", "just", "quickly", "immediately", "eventually", "finally", "even",
	"again", "later", "soon", "personally", "directly", "actually", "myself", "carefully", "initially",
	"ultimately", "next", "once", "still", "proactively", "really", "usually", "always", "typically",
	"generally", "normally", "often", "tend", "already", "quietly", "formally", "only", "simply",
	"literally", "basically", "probably", "certainly", "definitely", "specifically", "deliberately",
)

// negations turn the next verb into something that did not happen.
var negations = setOf("never", "didn't", "didnt", "not", "don't", "dont", "wasn't", "couldn't", "won't", "wouldn't",
	"hadn't", "haven't", "no", "barely", "hardly")

// learnVerbs with "I" state a lesson: "I learned", "I realized".
var learnVerbs = setOf("learned", "learnt", "realized", "realised", "understood", "discovered")

// sayVerbs after "I'd" are a way of speaking, not a change: "I'd say".
var sayVerbs = setOf("say", "call", "think", "guess", "rate", "describe", "imagine", "argue", "add", "like", "love", "be")

// changeOfPractice words make "I'd …" a change of practice: "I'd involve
// them earlier", "I would write it down first".
var changeOfPractice = setOf("earlier", "sooner", "first", "instead", "differently", "again", "next", "before",
	"rather", "from", "start", "upfront", "up-front", "faster")

// lessonNouns name a lesson outright.
var lessonNouns = setOf("lesson", "lessons", "takeaway", "takeaways", "taught", "hindsight", "retrospect")

// hindsightCues mark a reflection wherever they stand.
var hindsightCues = []string{" looking back", " in hindsight", " in retrospect", " next time ", " if i did it again",
	" if i had to do it again", " since then i ", " these days i ", " now i ", " i now ", " my mistake", " i was wrong"}

// noReflectionCues say nothing was learned and nothing would change.
var noReflectionCues = []string{" nothing really", " nothing, ", " nothing. ", " not much", " change nothing",
	" nothing to change", " nothing to learn", " wouldn't change", " would not change", " would do the same",
	" do it the same", " same thing again", " no regrets", " perfect outcome", " i don't know", " not sure"}

// notReflectionCues look like reflection but describe praise or luck.
var notReflectionCues = []string{" i'd say ", " i would say ", " was a success", " was successful", " went well"}

// persistenceWords mark something still true after the story ended.
var persistenceWords = setOf("still", "now", "anymore", "since", "today", "permanently", "ever", "standard",
	"default", "template", "habit", "routine", "longer")

// adoptionVerbs in the past say others took the change up.
var adoptionVerbs = setOf("adopted", "became", "spread", "copied", "reused", "standardized", "standardised", "institutionalized")

// lastingCues mark a lasting change in any clause.
var lastingCues = []string{" ever since", " to this day", " for good", " no longer ", " other teams ", " every new ",
	" going forward", " from then on", " since then"}

var noImpactCues = []string{" not sure", " don't know", " no idea", " nothing lasting", " not much", " same as before",
	" went back to", " slipped back", " didn't stick", " faded"}

// settledCues state an end without a verb of change: "there were none left".
var settledCues = []string{" there were none", " none left", " to zero", " down to ", " all of them ", " went live",
	" on schedule", " under budget", " on time", " ahead of schedule"}

// generalSubjects open a claim about people in general.
var generalSubjects = setOf("people", "everyone", "everybody", "nobody", "customers", "users", "engineers", "employees",
	"managers", "leaders", "teams", "companies", "anyone", "someone", "most", "good", "great", "real")

// failVerbs said of someone else put a failure on them: "the vendor
// missed the date", "support ignored the tickets".
var failVerbs = setOf("failed", "missed", "ignored", "refused", "broke", "delayed", "forgot", "messed", "dropped",
	"blocked", "wasted", "botched", "overlooked", "neglected", "kept", "screwed", "sat", "stalled", "slipped")

// approximators before a number make it rough.
var approximators = setOf("about", "around", "roughly", "approximately", "maybe", "nearly", "almost", "some", "a", "~", "perhaps", "like")

// hypeCues inflate a result without measuring it.
var hypeCues = []string{" huge ", " massive ", " enormous ", " dramatically", " drastically", " incredible", " amazing",
	" big success", " great success", " tremendous", " significantly", " game-changing", " transformational",
	" skyrocketed", " exponential", " unprecedented", " best ever", " phenomenal"}

// groupCues name the people a lasting change reached.
var groupCues = []string{"team", "teams", "org", "site", "region", "shift", "company", "department", "every new", "all new"}

// targetCues make a number an aim rather than a result.
var targetCues = []string{" to cut ", " to reduce ", " to increase ", " to improve ", " to grow ", " to lower ",
	" to raise ", " to double ", " to halve ", " goal ", " target ", " aim ", " aimed ", " asked ", " wanted "}

// futureCues mark a sentence about plans, not outcomes.
var futureCues = []string{" will ", "'ll ", " plan to ", " planning to ", " hope to ", " going to ", " not yet ",
	" would ", " could ", " should ", " might ", " roadmap "}

// forgetCues say the candidate cannot recall one piece of the story.
var forgetCues = []string{" don't remember", " do not remember", " can't remember", " cannot remember",
	" don't recall", " can't recall", " cannot recall", " do not recall", " i forget ", " no idea ",
	" don't know the ", " couldn't tell you", " can't say exactly"}

var situationCues = []string{
	"i'm a ", "i'm an ", "i am a ", "i am an ", "i was a ", "i was an ", "i was the ", "i was on ",
	"as the ", "as a ", "as an ", "i work on ", "i work at ", "i work in ", "i worked on ", "i worked at ",
	"i manage ", "i lead ", "i managed ", "i run ", "my team", "our team", "my company", "our company",
	"my last ", "my current ", "my previous ", "at my ", "last year", "last spring", "last summer",
	"last fall", "last autumn", "last winter", "last quarter", "last month", "in early ", "in late ",
	"years ago", "when i joined", "when i was", "our service", "our product",
	"our platform", "our app", "responsible for",
}

var taskCues = []string{
	"asked me", "asked us", "had to", "needed to", "goal", "target", "responsible for", "my job", "my task",
	"the task", "challenge", "the problem", "deadline", "requirement", "mandate", "in order to", "complaint",
	"budget", "was to ", "were to ", "constraint", "risk",
}

var hedgeCues = []string{
	" i think ", " i believe ", " probably ", " maybe ", " not sure ", " i guess ", " kind of ", " sort of ",
	" somehow ", " somewhat ", " hopefully ", " i suppose ", " more or less ", " stuff ", " basically ",
	" some point", " or something", " things like that",
}

var noMeasureCues = []string{
	"didn't measure", "didn't track", "did not measure", "did not track", "no tracking", "no metrics",
	"no data", "wasn't measured", "weren't measured", "never measured", "nothing was measured",
	"hard to measure", "no numbers", "didn't have numbers", "don't have numbers", "no hard numbers",
}

// blameCues put a failure on others; ownPartCues show the candidate also
// owning their share, which makes an account of others' faults fair.
var blameCues = []string{
	"their fault", "not my fault", "wasn't my fault", "were to blame", "was to blame", "dropped the ball",
	"messed up", "incompetent", "because of them", "their mistake", "it was on them", "they failed to",
	"threw them under", "they were useless", "they were lazy", "they didn't care", "didn't do their",
}

var ownPartCues = []string{"my part", "my mistake", "my fault", "i should have", "on me", "i missed", "i was wrong"}

// injectionCues are words aimed at an automated grader rather than an
// interviewer. Any of them is a red flag: the candidate tried to game the
// assessment.
var injectionCues = []string{
	"ignore your", "ignore all", "ignore the rubric", "ignore previous", "ignore prior", "ignore any",
	"disregard", "previous instructions", "prior instructions", "system prompt", "you are now",
	"must be scored", "score this", "score me", "rate me", "grade me", "rate this answer", "mark this answer",
	"give me a 4", "give this a 4", "set all scores", "scored 4", "score of 4", "score it 4",
	"answer is pre-approved", "strong_hire", "evaluation system", "grader:", "to the grader",
	"to the evaluator", "note to evaluator", "evaluator:", "you are an ai", "as an ai model",
	"assistant:", "system:", "<|", "[inst]", "override the rubric", "top score", "maximum score",
	"highest score", "full marks", "already been calibrated", "hiring committee has", "regardless of content",
	"automated grader", "automated reviewer", "ai reviewer", "ai grader",
}

// metaReferences speak about the answer or the candidate from outside, as
// only text aimed at an evaluator does; with an assessmentWord in the same
// sentence they are an attempt to steer the grade.
var metaReferences = []string{" this answer", " this response", " the candidate ", " this candidate ", " the interviewee",
	" the applicant", "[system]", "[note", "(note to", "[evaluator", "[grader"}

var assessmentWords = []string{" score", " scored", " rate ", " rated ", " rating", " grade", " graded", "approved",
	" calibrated", " rubric", " strong hire", " strong_hire", " marks", " evaluat", " recommend"}

// principleNames are how candidates name the principles; a story that names
// many of them is reciting, not telling.
var principleNames = []string{
	"customer obsess", "customer-obsess", "ownership", "invent and simplify", "right a lot",
	"learn and be curious", "hire and develop", "highest standards", "think big", "bias for action",
	"frugal", "earn trust", "dive deep", "backbone", "disagree and commit", "deliver results",
	"best employer", "broad responsibility", "leadership principle",
}

var buzzwords = []string{"synerg", "move the needle", "leverage", "best-in-class", "world-class", "game changer",
	"game-changer", "paradigm", "drive alignment", "north star", "10x", "rockstar", "disrupt", "end-to-end", "holistic",
	"value-add", "circle back", "low-hanging fruit", "bleeding edge", "cutting-edge"}

// A wordSet is a set of lowercase words. A word is checked against a
// filter on its length and its first and last bytes before the map, so
// that most words outside the set cost no lookup.
type wordSet struct {
	words  map[string]bool
	filter [32][32]uint32 // bit last%32 of [len%32][first%32]
}

// setOf returns the set of words.
func setOf(words ...string) *wordSet {
	s := &wordSet{words: make(map[string]bool, len(words))}
	for _, w := range words {
		s.add(w)
	}
	return s
}

// mergeSets returns the union of sets.
func mergeSets(sets ...*wordSet) *wordSet {
	out := setOf()
	for _, s := range sets {
		for w := range s.words {
			out.add(w)
		}
	}
	return out
}

func (s *wordSet) add(w string) {
	s.words[w] = true
	if w != "" {
		s.filter[len(w)%32][w[0]%32] |= 1 << (w[len(w)-1] % 32)
	}
}

// has reports whether w is in the set.
func (s *wordSet) has(w string) bool {
	if w == "" {
		return s.words[w]
	}
	if s.filter[len(w)%32][w[0]%32]&(1<<(w[len(w)-1]%32)) == 0 {
		return false
	}
	return s.words[w]
}
