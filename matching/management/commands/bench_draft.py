"""``make bench-draft``: the criteria drafter's precision and recall per condition, and the share
of clauses drafted completely right, on the hand-labelled corpus of real policy clauses
(matching/criteria/drafting/corpus.yaml) and, apart, on the held-out clauses labelled after the
grammar was frozen (corpus_heldout.yaml). Needs no database."""

from django.core.management.base import BaseCommand

from matching.criteria.drafting.bench import CORPUS, HELD_OUT, load_corpus, run_bench


class Command(BaseCommand):
    help = "起草器基准：逐条件的精确率、召回率与整条完全正确的比例（真实政策条款语料）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--clauses", action="store_true", help="list each clause not drafted completely right"
        )

    def handle(self, *args, clauses=False, **options):
        for label, path in (("corpus", CORPUS), ("held-out", HELD_OUT)):
            corpus = load_corpus(path)
            result = run_bench(corpus)
            sources = len({c["source"]["url"] for c in corpus})
            self.stdout.write(f"{label} ({path.name}): {len(corpus)} clauses from {sources} public pages")
            self.stdout.write(
                f"  conditions: {result.expected} labelled, {result.drafted} drafted, {result.right} right"
            )
            self.stdout.write(f"  precision: {result.precision:.1%}")
            self.stdout.write(f"  recall: {result.recall:.1%}")
            self.stdout.write(f"  awards right: {result.awards_right:.1%}")
            self.stdout.write(f"  clauses completely right: {result.complete:.1%}")
            if clauses:
                for c in result.clauses:
                    if not c.complete:
                        self.stdout.write(
                            f"  ✗ {c.id}: criteria {'ok' if c.criteria_right else 'wrong'}, "
                            f"award {'ok' if c.award_right else 'wrong'}; expected {c.expected}, drafted {c.drafted}"
                        )
