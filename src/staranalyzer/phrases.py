"""One phrase matcher for every lexicon of a rubric: sectioning cues, rule phrases, lexicons.

Each consumer (the sectioner, each detector engine) names its phrase lists with string keys;
the index compiles all of them into a single spaCy ``PhraseMatcher`` once per analyzer, and one
pass over an answer's tokens finds every match of every list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab


class PhraseIndex:
    """Compiles named phrase lists into one matcher.

    Args:
        vocab: the pipeline's vocabulary.
        make_doc: the pipeline's tokenizer, so phrases tokenise like answers.
        lists: key -> phrases (matched on lower-case tokens, so any case matches).
        special: the tokenizer's special cases (``Tokenizer.rules``), when it is spaCy's own
            rule-based tokenizer: a phrase of plain words, none of them a special case
            ("cannot", "gonna"), is then built from its words directly (what the tokenizer
            would give, about ten times faster at start-up; ``tests/test_rubric.py`` checks
            every bundled phrase both ways). ``None``: every phrase goes through ``make_doc``.

    """

    def __init__(
        self,
        vocab: Vocab,
        make_doc: Callable[[str], Doc],
        lists: Mapping[str, list[str]],
        special: Collection[str] | None = None,
    ) -> None:
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.keys: dict[int, str] = {}
        made: dict[str, Doc] = {}  # a phrase in several lists is tokenised once
        for key, phrases in sorted(lists.items()):
            texts = dict.fromkeys(p.lower() for p in phrases if p.strip())
            for text in texts:
                if text not in made:
                    made[text] = phrase_doc(vocab, make_doc, text, special)
            docs = [made[t] for t in texts if len(made[t])]
            if docs:
                self.matcher.add(key, docs)
                self.keys[vocab.strings[key]] = key

    def find(self, doc: Doc) -> dict[str, tuple[tuple[int, int], ...]]:
        """Every match in ``doc``: key -> ((first token, end token), ...), in text order."""
        found: dict[str, list[tuple[int, int]]] = {}
        keys = self.keys
        for match_id, start, end in self.matcher(doc):
            found.setdefault(keys[match_id], []).append((start, end))
        return {k: tuple(sorted(v)) for k, v in found.items()}


def phrase_doc(
    vocab: Vocab, make_doc: Callable[[str], Doc], text: str, special: Collection[str] | None
) -> Doc:
    """A phrase as the tokenizer would split it (see :class:`PhraseIndex`)."""
    words = text.split(" ")
    if special is not None and all(w.isalpha() and w not in special for w in words):
        return Doc(vocab, words=words)
    return make_doc(text)
