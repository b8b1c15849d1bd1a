"""One phrase matcher for every lexicon of a rubric: sectioning cues, rule phrases, lexicons.

Each consumer (the sectioner, each detector engine) names its phrase lists with string keys;
the index compiles all of them into a single spaCy ``PhraseMatcher`` once per analyzer, and one
pass over an answer's tokens finds every match of every list.

Phrases are added to the matcher as sequences of ``LOWER`` hashes. A phrase of plain words
(lower-case ASCII letters, or digits, between single spaces) is split at its spaces when the
tokenizer is spaCy's own and none of its words is one of the tokenizer's special cases
("cannot", "gonna"): spaCy splits such a phrase there and only there, and skipping the
tokenizer skips making a lexeme for every word, most of the index's start-up cost.
``tests/test_api.py`` checks the shortcut against the tokenizer on every bundled phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

_PLAIN = re.compile(r"(?:[a-z]+|[0-9]+)(?: (?:[a-z]+|[0-9]+))*")


class PhraseIndex:
    """Compiles named phrase lists into one matcher.

    Args:
        vocab: the pipeline's vocabulary.
        make_doc: the pipeline's tokenizer, so phrases tokenise like answers.
        lists: key -> phrases (matched on lower-case tokens, so any case matches).
        special_cases: the special cases of spaCy's own tokenizer, when ``make_doc`` is one;
            phrases of plain words are then split at their spaces (see the module docstring).
            None: every phrase goes through ``make_doc``.

    """

    def __init__(
        self,
        vocab: Vocab,
        make_doc: Callable[[str], Doc],
        lists: Mapping[str, list[str]],
        special_cases: Container[str] | None = None,
    ) -> None:
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.keys: dict[int, str] = {}
        strings = vocab.strings
        made: dict[str, tuple[int, ...]] = {}  # a phrase in several lists is tokenised once
        for key, phrases in sorted(lists.items()):
            texts = dict.fromkeys(p.lower() for p in phrases if p.strip())
            for text in texts:
                if text in made:
                    continue
                words = text.split(" ")
                if (
                    special_cases is not None
                    and _PLAIN.fullmatch(text)
                    and not any(w in special_cases for w in words)
                ):
                    made[text] = tuple(strings.add(w) for w in words)
                else:
                    made[text] = tuple(t.lower for t in make_doc(text))
            sequences = [list(made[t]) for t in texts if made[t]]
            if sequences:
                self.matcher.add(key, sequences)
                self.keys[strings[key]] = key
        self.sequences = made
        """Each lower-cased phrase's ``LOWER`` hashes, as matched."""

    def find(self, doc: Doc) -> dict[str, tuple[tuple[int, int], ...]]:
        """Every match in ``doc``: key -> ((first token, end token), ...), in text order."""
        found: dict[str, list[tuple[int, int]]] = {}
        keys = self.keys
        for match_id, start, end in self.matcher(doc):
            found.setdefault(keys[match_id], []).append((start, end))
        return {k: tuple(sorted(v)) for k, v in found.items()}
