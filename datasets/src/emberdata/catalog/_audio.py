"""Audio datasets. URLs and sha256 checksums are the ones torchaudio publishes (torchaudio/datasets/*.py)."""

from __future__ import annotations

from ._types import FileSpec, Record

_LIBRISPEECH_SHA256 = {
    "dev-clean": "76f87d090650617fca0cac8f88b9416e0ebf80350acb97b343a85fa903728ab3",
    "dev-other": "12661c48e8c3fe1de2c1caa4c3e135193bfb1811584f11f569dd12645aa84365",
    "test-clean": "39fde525e59672dc6d1551919b1478f724438a95aa55f874b576be21967e6c23",
    "test-other": "d09c181bba5cf717b3dee7d4d592af11a3ee3a09e08ae025c5506f6ebe961c29",
    "train-clean-100": "d4ddd1d5a6ab303066f14971d768ee43278a5f2a0aa43dc716b0e64ecbbbf6e2",
    "train-clean-360": "146a56496217e96c14334a160df97fffedd6e0a04e66b9c5af0d40be3c792ecf",
    "train-other-500": "ddb22f27f96ec163645d53215559df6aa36515f26e01dd70798188350adcb6d2",
}


def _librispeech(subset: str, sha256: str) -> Record:
    return Record(
        name=f"librispeech-{subset}",
        files=(FileSpec(f"{subset}.tar.gz", (f"http://www.openslr.org/resources/12/{subset}.tar.gz",), sha256=sha256),),
        homepage="https://www.openslr.org/12",
        licence="CC BY 4.0",
        citation="V. Panayotov, G. Chen, D. Povey, S. Khudanpur. Librispeech: an ASR corpus based on public domain "
        "audio books. ICASSP 2015.",
        description=f"LibriSpeech {subset}: 16 kHz read English speech (flac) with transcripts; "
        "extracts to LibriSpeech/<subset>/.",
    )


RECORDS = (
    Record(
        name="yesno",
        files=(
            FileSpec(
                "waves_yesno.tar.gz",
                ("http://www.openslr.org/resources/1/waves_yesno.tar.gz",),
                sha256="c3f49e0cca421f96b75b41640749167b52118f232498667ca7a5f9416aef8e73",
            ),
        ),
        homepage="https://www.openslr.org/1/",
        licence="CC BY 4.0 (per OpenSLR)",
        citation="YesNo corpus, OpenSLR resource SLR1, from the Kaldi project.",
        description="60 8 kHz recordings of one speaker saying eight yes/no words in Hebrew; labels in file names.",
    ),
    Record(
        name="speech-commands-v0.02",
        aliases=("speechcommands", "speech-commands"),
        files=(
            FileSpec(
                "speech_commands_v0.02.tar.gz",
                (
                    "http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz",
                    "https://storage.googleapis.com/download.tensorflow.org/data/speech_commands_v0.02.tar.gz",
                ),
                sha256="af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
            ),
        ),
        homepage="https://arxiv.org/abs/1804.03209",
        licence="CC BY 4.0",
        citation="P. Warden. Speech Commands: A Dataset for Limited-Vocabulary Speech Recognition. "
        "arXiv:1804.03209, 2018.",
        description="105,829 one-second 16 kHz utterances of 35 words; validation/testing lists inside the archive.",
    ),
    *(_librispeech(subset, sha) for subset, sha in _LIBRISPEECH_SHA256.items()),
)
