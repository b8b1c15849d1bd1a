"""One phrase matcher for every lexicon of a rubric: sectioning cues, rule phrases, lexicons.

Each consumer (the sectioner, each detector engine) names its phrase lists with string keys;
the index compiles all of them into a single spaCy ``PhraseMatcher`` once per analyzer, and one
pass over an answer's tokens finds every match of every list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab


class PhraseIndex:
    """Compiles named phrase lists into one matcher.

    Args:
        vocab: the pipeline's vocabulary.
        make_doc: the pipeline's tokenizer, so phrases tokenise like answers.
        lists: key -> phrases (matched on lower-case tokens, so any case matches).

    """

    def __init__(
        self,
        vocab: Vocab,
        make_doc: Callable[[str], Doc],
        lists: Mapping[str, list[str]],
    ) -> None:
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.keys: dict[int, str] = {}
        made: dict[str, Doc] = {}  # a phrase in several lists is tokenised once
        for key, phrases in sorted(lists.items()):
            texts = dict.fromkeys(p.lower() for p in phrases if p.strip())
            for text in texts:
                if text not in made:
                    made[text] = make_doc(text)
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
