#!/usr/bin/python3
"""
gen.py - a synthetic Noticeboard site of N consultations, for benchmarks.

    bench/gen.py N OUT [--seed S] [--hugo HUGO_DIR LAYOUTS_DIR]

Writes OUT/site.yaml and OUT/content/ (consultations with their events,
standalone events, outcomes, areas, partners, topics, audiences, pages).
The same N and seed always give the same files, byte for byte.

The area tree is realistic: counties (one for every 2,500 consultations),
each with 6-8 districts, each with 8-14 wards, most wards with 0-3
neighbourhoods.  20 partners.  Consultations open between 2019 and 2027
(the benchmarks build "as on" 2026-11-23); 60% have events; about half of
those that closed have an outcome; a tenth as many standalone events.

With --hugo, also writes a Hugo site in HUGO_DIR over the same files
(config with mounts of OUT/content, the layouts of LAYOUTS_DIR, and one
stub page per calendar month, which Hugo cannot make from a template).
Uses only the Python standard library.
"""
import datetime
import os
import random
import sys

TODAY = datetime.date(2026, 11, 23)
FIRST = datetime.date(2019, 1, 1)
LAST = datetime.date(2027, 6, 30)

SYL_A = ["ash", "brook", "king", "thorn", "mill", "harrow", "north", "west",
         "east", "south", "oak", "elm", "stan", "wood", "fern", "cold",
         "wyke", "hol", "bridge", "market", "green", "lang", "ridge", "river",
         "black", "white", "red", "high", "low", "castle", "church", "abbey"]
SYL_B = ["ford", "ley", "ton", "by", "dale", "field", "ham", "wick",
         "worth", "well", "stead", "bury", "combe", "mouth", "hurst",
         "gate", "vale", "more", "side", "bourne"]

PARTNERS = [
    ("national-association-of-councils", "National Association of Councils", "council"),
    ("county-council-network", "County Council Network", "council"),
    ("district-councils-forum", "District Councils Forum", "council"),
    ("city-councils-group", "City Councils Group", "council"),
    ("parish-councils-alliance", "Parish Councils Alliance", "council"),
    ("police-forces-partnership", "Police Forces Partnership", "police"),
    ("police-and-crime-commissioners", "Police and Crime Commissioners", "police"),
    ("nhs-integrated-care-boards", "NHS Integrated Care Boards", "nhs"),
    ("nhs-community-trusts", "NHS Community Trusts", "nhs"),
    ("nhs-mental-health-trusts", "NHS Mental Health Trusts", "nhs"),
    ("fire-and-rescue-services", "Fire and Rescue Services", "fire"),
    ("housing-associations-group", "Housing Associations Group", "housing"),
    ("council-housing-services", "Council Housing Services", "housing"),
    ("councils-for-voluntary-service", "Councils for Voluntary Service", "voluntary"),
    ("citizens-advice-network", "Citizens Advice Network", "voluntary"),
    ("youth-councils-network", "Youth Councils Network", "voluntary"),
    ("carers-centres-network", "Carers Centres Network", "voluntary"),
    ("transport-authorities", "Transport Authorities", "other"),
    ("environment-agency-areas", "Environment Agency Areas", "other"),
    ("library-services-network", "Library Services Network", "other"),
]

TOPICS = [
    ("transport", "Transport and roads"), ("housing", "Housing"),
    ("health", "Health services"), ("social-care", "Social care and carers"),
    ("community-safety", "Community safety"),
    ("environment", "Environment and waste"), ("libraries", "Libraries"),
    ("youth-services", "Services for young people"),
    ("planning", "Planning and development"),
    ("budget", "Budgets and council tax"), ("parks", "Parks and leisure"),
    ("education", "Schools and education"),
]
AUDIENCES = [
    ("residents", "All residents"), ("young-people", "Young people"),
    ("older-people", "Older people"), ("tenants", "Tenants"),
    ("businesses", "Businesses"), ("carers", "Carers"),
    ("disabled-people", "Disabled people"), ("parents", "Parents and families"),
    ("rural-communities", "Rural communities"),
    ("voluntary-groups", "Voluntary and community groups"),
]
LADDER = ["inform", "consult", "involve", "collaborate", "empower"]
LEVEL_WEIGHTS = [10, 60, 18, 8, 4]

SUBJECTS = {
    "transport": ["town centre parking review", "bus network changes",
                  "cycle lanes on the high street", "school streets scheme",
                  "speed limit review", "bridge repairs"],
    "housing": ["estate improvements", "homelessness strategy",
                "tenancy policy", "new council homes"],
    "health": ["GP evening appointments", "community hospital beds",
               "pharmacy services", "urgent care centre"],
    "social-care": ["carers strategy", "day services review",
                    "home care charges"],
    "community-safety": ["policing priorities", "CCTV review",
                         "public spaces protection order",
                         "community risk management plan"],
    "environment": ["bin collection changes", "recycling centres",
                    "flood plan", "tree strategy", "garden waste charges"],
    "libraries": ["library opening hours", "mobile library routes"],
    "youth-services": ["youth offer review", "youth club funding"],
    "planning": ["local plan review", "neighbourhood plan",
                 "design code"],
    "budget": ["budget proposals", "community grants vote",
               "council tax support scheme"],
    "parks": ["play area improvements", "leisure centre options",
              "community hall transfer", "sports pitches strategy"],
    "education": ["school admissions", "home to school transport",
                  "special educational needs strategy"],
}

WORDS = ("we want to hear from everyone who lives works or studies in the "
         "area about how the proposals would affect them and what we could "
         "do better the council and its partners will read every response "
         "before any decision is made and will publish what people told us "
         "alongside what we decided and why the changes would start next "
         "year if they are agreed and would be reviewed after twelve months "
         "residents businesses and community groups have told us that the "
         "current arrangements do not work well for them").split()


def slug(s):
    out, dash = [], False
    for ch in s.lower():
        if ch.isalnum() and ch.isascii():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def q(s):
    """A YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Gen:
    def __init__(self, n, seed):
        self.n = n
        self.r = random.Random(seed)
        self.areas = []          # (id, name, type, parent, code)
        self.leaves = []         # ids of wards and neighbourhoods
        self.districts = []
        self.counties = []
        self.months = set()
        self.used_names = set()

    def town(self):
        """A place name, for titles and venues (may repeat)."""
        r = self.r
        return (r.choice(SYL_A) + r.choice(SYL_B)).capitalize()

    def place(self):
        """A place name no area has yet."""
        r = self.r
        for _ in range(20):
            name = self.town()
            if r.random() < 0.3:
                name = r.choice(["Upper ", "Lower ", "Great ", "Little ",
                                 "New ", "Old "]) + name
            if name not in self.used_names:
                break
        base, k = name, 2
        while name in self.used_names:
            name = "%s %s" % (base, ["North", "South", "East", "West",
                                     "Central"][k % 5] + ("" if k < 5 else " %d" % (k // 5)))
            k += 1
        self.used_names.add(name)
        return name

    def make_areas(self):
        r = self.r
        ncounties = max(1, round(self.n / 2500))
        code = 0
        for _ in range(ncounties):
            cname = self.place() + "shire"
            cid = slug(cname)
            self.areas.append((cid, cname, "county", None, None))
            self.counties.append(cid)
            for _ in range(r.randint(6, 8)):
                dname = self.place()
                did = slug(dname) + "-district"
                self.areas.append((did, dname + " District", "district", cid,
                                   "E07%06d" % code))
                code += 1
                self.districts.append(did)
                for _ in range(r.randint(8, 14)):
                    wname = self.place()
                    wid = slug(wname) + "-ward"
                    self.areas.append((wid, wname + " ward", "ward", did,
                                       "E05%06d" % code))
                    code += 1
                    self.leaves.append(wid)
                    for _ in range(r.choice([0, 1, 1, 2, 2, 3])):
                        nname = self.place()
                        nid = slug(nname) + "-estate"
                        self.areas.append((nid, nname + " estate",
                                           "neighbourhood", wid, None))
                        self.leaves.append(nid)

    def date(self, lo, hi):
        return lo + datetime.timedelta(days=self.r.randint(0, (hi - lo).days))

    def para(self, words):
        r = self.r
        w = r.choices(WORDS, k=words)
        w[0] = w[0].capitalize()
        return " ".join(w) + "."

    def body(self):
        r = self.r
        parts = [self.para(r.randint(40, 70)), "",
                 "## What we are proposing", ""]
        for _ in range(r.randint(2, 4)):
            parts.append("- " + self.para(r.randint(6, 12)))
        parts += ["", "## Why we are asking", "", self.para(r.randint(30, 60)),
                  "", self.para(r.randint(20, 40))]
        return "\n".join(parts) + "\n"

    def venue(self, lines, ind="    "):
        r = self.r
        name = self.town()
        f = ind + "  "
        lines += [ind + "venue:",
                  f + "name: %s %s" % (name, r.choice(
                      ["Library", "Community Centre", "Town Hall",
                       "Village Hall", "Leisure Centre", "Church Hall"])),
                  f + "address: %d High Street, %s" % (r.randint(1, 120), name),
                  f + "postcode: KB%d %d%s" % (r.randint(1, 9), r.randint(1, 9),
                                                "AB"[r.randint(0, 1)] + "CD"[r.randint(0, 1)]),
                  f + "step_free: %s" % r.choice(["true", "true", "false"]),
                  f + "hearing_loop: %s" % r.choice(["true", "false"]),
                  f + "accessible_toilet: %s" % r.choice(["true", "true", "false"])]
        if r.random() < 0.5:
            lines.append(f + "parking: Two blue badge spaces at the front")
        if r.random() < 0.4:
            lines.append(f + "access_notes: Use the ramp at the side entrance.")

    def event_fields(self, lines, day, indent):
        r = self.r
        h = r.choice([9, 10, 11, 14, 15, 18, 19])
        dur = r.choice([1, 2, 2, 3])
        lines.append("%sstart: %s %02d:%s" % (indent, day.isoformat(), h,
                                              r.choice(["00", "30"])))
        lines.append("%send: %s %02d:00" % (indent, day.isoformat(),
                                            min(h + dur, 23)))
        self.months.add((day.year, day.month))
        lines.append("%sdescription: %s" % (indent, q(self.para(r.randint(8, 20)))))

    def tags(self, lines, tag_area=None):
        r = self.r
        lead = r.choice(PARTNERS)[0]
        lines.append("lead: %s" % lead)
        joint = r.sample([p[0] for p in PARTNERS if p[0] != lead],
                         r.choice([0, 0, 1, 1, 2]))
        if self.partner_todo:
            p = self.partner_todo.pop()
            if p != lead and p not in joint:
                joint.append(p)
        if joint:
            lines.append("partners: [%s]" % ", ".join(joint))
        return lead

    def pick_areas(self):
        r = self.r
        if self.area_todo:
            return [self.area_todo.pop()]
        x = r.random()
        if x < 0.02:
            first = r.choice(self.counties)
        elif x < 0.10:
            first = r.choice(self.districts)
        else:
            first = r.choice(self.leaves)
        out = [first]
        if r.random() < 0.25:
            other = r.choice(self.leaves)
            if other not in out:
                out.append(other)
        return out

    def write(self, out):
        r = self.r
        self.make_areas()
        # every area and partner is tagged directly at least once, so that
        # Hugo (whose listings exist only for terms in use) has them all
        self.area_todo = [a[0] for a in reversed(self.areas)]
        self.partner_todo = [p[0] for p in reversed(PARTNERS)]
        c = os.path.join(out, "content")
        for d in ("consultations", "events", "outcomes", "areas", "partners",
                  "pages"):
            os.makedirs(os.path.join(c, d), exist_ok=True)
        w = lambda rel, text: _write(os.path.join(out, rel), text)

        w("site.yaml", SITE_YAML)
        for aid, name, typ, parent, code in self.areas:
            s = "name: %s\ntype: %s\n" % (q(name), typ)
            if parent:
                s += "parent: %s\n" % parent
            if code:
                s += "code: %s\n" % code
            s += "description: %s\n" % q(self.para(r.randint(10, 25)))
            if typ == "ward":
                s += ("contacts:\n  - name: Cllr %s\n    role: Ward councillor\n"
                      "    email: %s@example.org.uk\n" %
                      (self.town(), aid))
            w("content/areas/%s.yaml" % aid, s)
        for pid, name, typ in PARTNERS:
            w("content/partners/%s.yaml" % pid,
              "name: %s\ntype: %s\nwebsite: https://%s.example\n"
              "description: %s\nemail: engage@%s.example\n" %
              (q(name), typ, pid, q(self.para(20)), pid))
        w("content/topics.yaml", "".join(
            "- id: %s\n  label: %s\n  description: %s\n" % (t, l, q(self.para(8)))
            for t, l in TOPICS))
        w("content/audiences.yaml", "".join(
            "- id: %s\n  label: %s\n" % (t, l) for t, l in AUDIENCES))
        w("content/pages/about.md", "---\ntitle: About this site\nfooter: true\n"
          "order: 1\n---\n" + self.body())
        w("content/pages/accessibility.md", "---\ntitle: Accessibility statement\n"
          "footer: true\norder: 2\n---\n" + self.body())

        outcomes = 0
        for i in range(self.n):
            topic = r.choice(TOPICS)
            subject = r.choice(SUBJECTS[topic[0]])
            where = self.town()
            title = "%s %s" % (where, subject)
            cid = "%s-%06d" % (slug(title), i)
            opens = self.date(FIRST, LAST)
            closes = opens + datetime.timedelta(days=r.randint(14, 90))
            self.months.add((opens.year, opens.month))
            self.months.add((closes.year, closes.month))
            L = ["---", "title: %s" % q(title[0].upper() + title[1:]),
                 "summary: %s" % q(self.para(r.randint(15, 35)))]
            self.tags(L)
            L.append("level: %s" % r.choices(LADDER, LEVEL_WEIGHTS)[0])
            L.append("areas: [%s]" % ", ".join(self.pick_areas()))
            tops = [topic[0]]
            if r.random() < 0.3:
                t2 = r.choice(TOPICS)[0]
                if t2 not in tops:
                    tops.append(t2)
            L.append("topics: [%s]" % ", ".join(tops))
            auds = r.sample([a[0] for a in AUDIENCES], r.randint(0, 3))
            if auds:
                L.append("audiences: [%s]" % ", ".join(auds))
            L.append("opens: %s" % opens.isoformat())
            L.append("closes: %s" % closes.isoformat())
            x = r.random()
            if x < 0.02:
                L.append("status: cancelled")
                L.append("status_note: %s" % q(self.para(12)))
            elif x < 0.03:
                L.append("status: postponed")
            fb = None
            if r.random() < 0.85:
                fb = closes + datetime.timedelta(days=r.randint(30, 120))
                L.append("feedback_by: %s" % fb.isoformat())
            L.append("take_part:")
            L.append("  - text: Fill in the online survey")
            L.append("    link: https://example.org.uk/survey/%s" % cid)
            if r.random() < 0.6:
                L.append("  - text: Write to us at the Civic Centre, %s" % where)
            L.append("can_influence:")
            for _ in range(r.randint(1, 3)):
                L.append("  - %s" % q(self.para(r.randint(5, 10))))
            if r.random() < 0.6:
                L.append("cannot_influence:")
                L.append("  - %s" % q(self.para(r.randint(5, 10))))
            L.append("accessibility:")
            L.append("  - Easy read and large print versions on request")
            if r.random() < 0.5:
                L.append("documents:")
                L.append("  - title: %s" % q(title + " proposals"))
                L.append("    url: https://example.org.uk/docs/%s.pdf" % cid)
                L.append("    format: PDF")
                L.append("    size: %d KB" % r.randint(80, 3000))
            L.append("contact:")
            L.append("  name: %s team" % topic[1])
            L.append("  email: %s@example.org.uk" % topic[0])
            if r.random() < 0.6:
                L.append("events:")
                span = (closes - opens).days
                for k in range(r.randint(1, 3)):
                    day = opens + datetime.timedelta(days=r.randint(0, span))
                    L.append("  - title: %s" % q("%s drop-in %d" % (title, k + 1)))
                    self.event_fields(L, day, "    ")
                    if r.random() < 0.8:
                        self.venue(L)
                    else:
                        L.append("    online: https://example.org.uk/meet/%s-%d" % (cid, k))
                    if r.random() < 0.3:
                        L.append("    booking: https://example.org.uk/book/%s-%d" % (cid, k))
                    L.append("    bsl: %s" % r.choice(["true", "false"]))
            L.append("---")
            w("content/consultations/%s.md" % cid,
              "\n".join(L) + "\n" + self.body())

            # about half of what closed has an outcome (published by today)
            if closes < TODAY and x >= 0.03 and r.random() < 0.5:
                pub = closes + datetime.timedelta(days=r.randint(20, 150))
                if pub > TODAY:
                    pub = TODAY
                O = ["---", "consultation: %s" % cid,
                     "title: %s" % q("What we did after the " + subject),
                     "summary: %s" % q(self.para(r.randint(15, 30))),
                     "published: %s" % pub.isoformat(),
                     "responses:",
                     "  total: %d" % r.randint(20, 3000),
                     "  by_method:",
                     "    - method: Online survey",
                     "      count: %d" % r.randint(10, 900),
                     "    - method: Drop-in events",
                     "      count: %d" % r.randint(1, 200),
                     "you_said_we_did:"]
                for _ in range(r.randint(2, 4)):
                    st = r.choice(["done", "done", "in progress", "not possible"])
                    O.append("  - you_said: %s" % q(self.para(r.randint(6, 14))))
                    O.append("    we_did: %s" % q(self.para(r.randint(8, 18))))
                    O.append("    state: %s" % st)
                    if st == "not possible":
                        O.append("    why: %s" % q(self.para(10)))
                O.append("decision: %s" % q(self.para(15)))
                O.append("decided_by: The cabinet")
                O.append("---")
                w("content/outcomes/%s-outcome.md" % cid,
                  "\n".join(O) + "\n" + self.body())
                outcomes += 1

        for i in range(max(1, self.n // 10)):
            kind = r.choice(["Neighbourhood forum", "Police surgery",
                             "Have your say meeting", "Community walkabout"])
            where = self.town()
            title = "%s %s" % (where, kind.lower())
            day = self.date(FIRST, LAST)
            eid = "%s-%06d" % (slug(title), i)
            L = ["---", "title: %s" % q(title[0].upper() + title[1:]),
                 "summary: %s" % q(self.para(r.randint(10, 25)))]
            self.tags(L)
            L.append("areas: [%s]" % ", ".join(self.pick_areas()))
            L.append("topics: [%s]" % r.choice(TOPICS)[0])
            self.event_fields(L, day, "")
            self.venue(L, "")
            L.append("contact:")
            L.append("  name: %s team" % kind)
            L.append("---")
            w("content/events/%s.md" % eid, "\n".join(L) + "\n" +
              self.para(r.randint(30, 60)) + "\n")
        return outcomes

    def hugo(self, hdir, site, layouts):
        site = os.path.abspath(site)
        os.makedirs(os.path.join(hdir, "content", "calendar"), exist_ok=True)
        _write(os.path.join(hdir, "config.toml"),
               HUGO_CONFIG % {"site": site, "layouts": os.path.abspath(layouts)})
        _write(os.path.join(hdir, "content", "calendar", "_index.md"),
               "---\ntitle: Calendar\n---\n")
        for y, m in sorted(self.months):
            _write(os.path.join(hdir, "content", "calendar", "%04d-%02d.md" % (y, m)),
                   "---\ntitle: %s\nmonth: \"%04d-%02d\"\nurl: /calendar/%04d/%02d/\n---\n"
                   % (datetime.date(y, m, 1).strftime("%B %Y"), y, m, y, m))
        for sec, title in (("consultations", "Consultations"),
                           ("events", "Events"), ("outcomes", "Outcomes")):
            _write(os.path.join(hdir, "content", sec, "_index.md"),
                   "---\ntitle: %s\n---\n" % title)


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


SITE_YAML = """\
title: National engagement directory (synthetic benchmark site)
short_title: Engagement directory
description: Consultations, public meetings and feedback from councils and their partners.
base_url: https://engage.example.org.uk
language: en-GB
time_zone: Europe/London
theme: default
closing_soon_days: 14
organisation: Benchmark Partnership
contact_email: engagement@example.org.uk
ladder:
  - id: inform
    label: Inform
    description: We tell you about a decision, a change or a service.
  - id: consult
    label: Consult
    description: We ask for your views on our proposals before we decide.
  - id: involve
    label: Involve
    description: We work with you from the start.
  - id: collaborate
    label: Collaborate
    description: We plan and decide together with you.
  - id: empower
    label: Empower
    description: You make the decision yourselves.
"""

HUGO_CONFIG = """\
baseURL = "https://engage.example.org.uk/"
languageCode = "en-GB"
title = "National engagement directory (synthetic benchmark site)"
layoutDir = "%(layouts)s"
paginate = 20
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
enableRobotsTXT = false
timeZone = "Europe/London"

[params]
today = "2026-11-23"
closing_soon_days = 14
# calendar feeds keep what ended in the last 365 days (calendar_past_days)
feed_cutoff = "2025-11-23"

[taxonomies]
area = "areas"
partner = "partners"
topic = "topics"

[permalinks]
consultations = "/consultations/:filename/"
events = "/events/:filename/"
outcomes = "/outcomes/:filename/"
pages = "/:filename/"

[outputFormats.Calendar]
baseName = "calendar"

[outputs]
home = ["HTML", "Calendar"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML", "Calendar"]

[markup.goldmark.renderer]
unsafe = false

[[module.mounts]]
source = "%(site)s/content/consultations"
target = "content/consultations"
[[module.mounts]]
source = "%(site)s/content/events"
target = "content/events"
[[module.mounts]]
source = "%(site)s/content/outcomes"
target = "content/outcomes"
[[module.mounts]]
source = "%(site)s/content/pages"
target = "content/pages"
[[module.mounts]]
source = "content"
target = "content"
[[module.mounts]]
source = "%(site)s/content/areas"
target = "data/areas"
[[module.mounts]]
source = "%(site)s/content/partners"
target = "data/partners"
"""


def main(argv):
    args = list(argv[1:])
    seed, hugo = 8, None
    if "--seed" in args:
        k = args.index("--seed")
        seed = int(args[k + 1])
        del args[k:k + 2]
    if "--hugo" in args:
        k = args.index("--hugo")
        hugo = (args[k + 1], args[k + 2])
        del args[k:k + 3]
    if len(args) != 2 or not args[0].isdigit():
        sys.stderr.write("usage: gen.py N OUT [--seed S] [--hugo DIR LAYOUTS]\n")
        return 2
    n, out = int(args[0]), args[1]
    g = Gen(n, seed)
    outcomes = g.write(out)
    if hugo:
        g.hugo(hugo[0], out, hugo[1])
    sys.stderr.write("gen.py: %d consultations, %d outcomes, %d areas, %d months in %s\n"
                     % (n, outcomes, len(g.areas), len(g.months), out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
